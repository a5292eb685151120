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

/** The fuzzing app's keys: requests are sent as the caller; the bystander's data must come out unchanged. */
export const FUZZ_KEY = 'sk-fuzz-caller-000000000000';
export const FUZZ_BYSTANDER_KEY = 'sk-fuzz-bystander-0000000000';
// The fuzzer sends wrong keys on purpose: the per-address limit on them (tested in auth/failure-limit) stays out of its way.
export const FUZZ_ENV = { API_KEYS: `${FUZZ_KEY},${FUZZ_BYSTANDER_KEY}`, AUTH_FAILURES_PER_MINUTE: '1000000000' };

/** Any text, and the strings that have broken parsers before; `prefixes` adds the route's id prefixes. */
export const fuzzText = (...prefixes: string[]) =>
  fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', '\u0000', '\ud800', '__proto__', 'constructor', ...prefixes, 'null', '1e400', '😀'),
  );

/** Any JSON-ish value of `text` and the scalars. */
export const fuzzAnything = (text: fc.Arbitrary<string>) =>
  fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }));

/** What goes on the wire: JSON of a generated value, a raw string, raw bytes or nothing. */
export const wireBody = (shape: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: shape.map((v) => JSON.stringify(v) ?? '') },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '[]', 'null', '{"__proto__":{"x":1}}', '\ufeff{}') },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const wellFormed = (text: string) => text.replace(/[\ud800-\udfff]/g, 'x');

/** An id no one holds: well formed, made of `text` (escaped for a path), or any path-safe characters. */
export const unknownId = (prefix: string, text: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.stringMatching(/^[0-9A-Za-z]{24}$/).map((rest) => `${prefix}_${rest}`),
    text.map((s) => encodeURIComponent(`${prefix}_${wellFormed(s)}`)),
    fc.stringMatching(/^[A-Za-z0-9_%.~-]{1,40}$/),
  );

/** A query string of the generated parameters, each value escaped. */
export const queryString = (params: Record<string, string>) =>
  Object.entries(params)
    .map(([name, value]) => `${name}=${encodeURIComponent(wellFormed(value))}`)
    .join('&');
