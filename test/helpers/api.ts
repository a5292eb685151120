import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import { expectConformsTo } from './openapi-schemas.js';

/** Helpers over `app.inject` for the API tests: JSON in, JSON out, whole error envelopes. */

export interface ExpectedError {
  message: string;
  param: string | null;
  code: string | null;
  type?: string;
}

/** The whole envelope: status, JSON content type, exactly the four keys with these values. */
export function expectError(res: LightMyRequestResponse, status: number, expected: ExpectedError): void {
  expect({ status: res.statusCode, body: res.json() }).toEqual({
    status,
    body: {
      error: {
        message: expected.message,
        type: expected.type ?? 'invalid_request_error',
        param: expected.param,
        code: expected.code,
      },
    },
  });
  expect(Object.keys(res.json().error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expectConformsTo('ErrorResponse', res.json());
  expect(res.headers['content-type']).toMatch(/^application\/json\b/);
}

export async function post(app: App, url: string, body?: unknown) {
  return app.inject({ method: 'POST', url, ...(body === undefined ? {} : { payload: body as object }) });
}

export async function createThread(app: App, body: Record<string, unknown> = {}) {
  const res = await post(app, '/v1/threads', body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export async function createMessage(app: App, threadId: string, body: Record<string, unknown> = {}) {
  const res = await post(app, `/v1/threads/${threadId}/messages`, { role: 'user', content: 'hello', ...body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export interface ListParams {
  limit?: number;
  order?: 'asc' | 'desc';
  after?: string;
  before?: string;
  run_id?: string;
}

export async function listMessages(app: App, threadId: string, params: ListParams = {}) {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages?${query}` });
}

/** A list page that must succeed. */
export async function listPage(app: App, threadId: string, params: ListParams = {}) {
  const res = await listMessages(app, threadId, params);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    object: 'list';
    data: { id: string }[];
    first_id: string | null;
    last_id: string | null;
    has_more: boolean;
  };
}
