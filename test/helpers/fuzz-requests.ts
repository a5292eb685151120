import fc from 'fast-check';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';

/** The answer to any fuzzed request: below 500, and a 4xx is OpenAI's whole error envelope. */
export function expectEnvelope(status: number, contentType: unknown, raw: string, context: string) {
  expect(status, context).toBeLessThan(500);
  if (status < 400) return;
  expect(String(contentType), context).toMatch(/^application\/json/);
  const parsed = JSON.parse(raw);
  expect(Object.keys(parsed), context).toEqual(['error']);
  expect(Object.keys(parsed.error).sort(), context).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof parsed.error.message, context).toBe('string');
  expect(typeof parsed.error.type, context).toBe('string');
  expect(parsed.error.param === null || typeof parsed.error.param === 'string', context).toBe(true);
  expect(parsed.error.code === null || typeof parsed.error.code === 'string', context).toBe(true);
}

export interface FuzzedRequest {
  prefix: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  payload: unknown;
}

/**
 * Sends `runs` generated requests of one method and checks each answer's envelope; `after` may check more
 * of each. Returns how often each status came back, for the caller to see the handlers were reached.
 */
export async function fuzzRequests(
  app: App,
  method: 'GET' | 'POST' | 'DELETE',
  request: fc.Arbitrary<FuzzedRequest>,
  runs: number,
  after?: (status: number, request: FuzzedRequest) => Promise<void>,
): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const url = `${r.prefix}${r.path}${r.query === '' ? '' : `?${r.query}`}`;
      const payload = r.payload as string | Buffer | undefined;
      const res = await app.inject({ method, url, headers: r.headers, ...(payload === undefined ? {} : { payload }) });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      expectEnvelope(res.statusCode, res.headers['content-type'], res.body, `${method} ${url}`);
      await after?.(res.statusCode, r);
    }),
    { numRuns: runs },
  );
  return statuses;
}

/**
 * Headers for the fuzzing of the OpenAI-Beta routes (assistants, runs): mostly the caller's key, sometimes a
 * wrong one; JSON or not; each `OpenAI-Beta` value; Idempotency-Keys that repeat, and any printable ones.
 */
export const betaRouteHeaders = (key: string) =>
  fc.record(
    {
      authorization: fc.oneof(
        { weight: 8, arbitrary: fc.constant(`Bearer ${key}`) },
        { weight: 1, arbitrary: fc.constant('Bearer nope') },
      ),
      'content-type': fc.oneof(
        { weight: 6, arbitrary: fc.constant('application/json') },
        { weight: 1, arbitrary: fc.constantFrom('text/plain', 'APPLICATION/JSON') },
      ),
      'openai-beta': fc.constantFrom('assistants=v2', 'assistants=v1', 'x'),
      'idempotency-key': fc.oneof(fc.constantFrom('k1', 'k2'), fc.stringMatching(/^[\x20-\x7e]{0,300}$/)),
    },
    { requiredKeys: ['authorization'] },
  );
