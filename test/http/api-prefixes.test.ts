import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { API_PREFIXES, withoutApiPrefix } from '../../src/http/api-prefixes.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { operationsOf, type OpenApiDocument } from '../helpers/openapi-documents.js';

/* Every route under /v1, /openai (AzureOpenAI's base URL) and the root; `api-version` accepted everywhere. */

/** What Azure clients send on every request, and values no real client sends. */
const API_VERSIONS = ['2024-05-01-preview', '2025-04-01-preview', '', 'not-a-version', 'a&api-version=b', '%E2%9C%93'];

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

async function call(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  const res = await t.app.inject({ method, url, ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

/** All 9 operations and the thread list, through one prefix, each with the given query string appended. */
async function everyOperation(prefix: string, query: string) {
  const base = `${prefix}/threads`;
  const thread = await call('POST', `${base}${query}`, { messages: [{ role: 'user', content: 'first' }] });
  expect(await call('GET', `${base}/${thread.id}${query}`)).toEqual(thread);
  const modified = await call('POST', `${base}/${thread.id}${query}`, { metadata: { k: 'v' } });
  expect(modified.metadata).toEqual({ k: 'v' });
  const message = await call('POST', `${base}/${thread.id}/messages${query}`, { role: 'assistant', content: 'second' });
  const list = await call('GET', `${base}/${thread.id}/messages${query}${query ? '&' : '?'}order=asc&limit=1`);
  expect(list.data).toHaveLength(1);
  expect(list.has_more).toBe(true);
  const next = await call(
    'GET',
    `${base}/${thread.id}/messages${query}${query ? '&' : '?'}order=asc&after=${list.last_id}`,
  );
  expect(next.data).toEqual([message]);
  expect(await call('GET', `${base}/${thread.id}/messages/${message.id}${query}`)).toEqual(message);
  expect(
    (await call('POST', `${base}/${thread.id}/messages/${message.id}${query}`, { metadata: { seen: 'yes' } })).metadata,
  ).toEqual({ seen: 'yes' });
  expect(await call('DELETE', `${base}/${thread.id}/messages/${message.id}${query}`)).toEqual({
    id: message.id,
    object: 'thread.message.deleted',
    deleted: true,
  });
  expect((await call('GET', `${base}${query}`)).data.map((listed: { id: string }) => listed.id)).toContain(thread.id);
  expect(await call('DELETE', `${base}/${thread.id}${query}`)).toEqual({
    id: thread.id,
    object: 'thread.deleted',
    deleted: true,
  });
}

describe.each(API_PREFIXES.map((prefix) => ({ prefix, name: prefix || '(root)' })))('under $name', ({ prefix }) => {
  test('all 9 operations and the thread list answer', async () => {
    await everyOperation(prefix, '');
  });

  test.each(API_VERSIONS)('all answer with api-version=%s', async (version) => {
    await everyOperation(prefix, `?api-version=${version}`);
  });

  test('an unknown route is the usual 404 naming the path as sent', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${prefix}/nope?api-version=2024-05-01-preview` });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { message: `Invalid URL (GET ${prefix}/nope)`, type: 'invalid_request_error', param: null, code: null },
    });
  });
});

test('objects made under one prefix are the same objects under the others', async () => {
  const thread = await call('POST', '/openai/threads?api-version=2024-05-01-preview', { metadata: { via: 'openai' } });
  for (const prefix of API_PREFIXES) expect(await call('GET', `${prefix}/threads/${thread.id}`)).toEqual(thread);
});

test('an Idempotency-Key replays across prefixes: the same call under another mount', async () => {
  const headers = { 'idempotency-key': 'across-prefixes' };
  const first = await t.app.inject({ method: 'POST', url: '/v1/threads', headers, payload: { metadata: { n: '1' } } });
  const again = await t.app.inject({
    method: 'POST',
    url: '/openai/threads?api-version=x',
    headers,
    payload: { metadata: { n: '1' } },
  });
  expect(again.statusCode).toBe(200);
  expect(again.json()).toEqual(first.json());
  expect(withoutApiPrefix('/openai/threads/thread_x')).toBe('/threads/thread_x');
  expect(withoutApiPrefix('/openaix/threads')).toBe('/openaix/threads');
});

/** A response with fresh ids and times blanked, so two creates compare equal. */
const shapeOf = (res: { statusCode: number; body: string }) => [
  res.statusCode,
  res.body
    .replace(/"(thread|msg)_[0-9A-Za-z]{24}"/g, '"$1_*"')
    .replace(/"conv_[0-9a-f]{48}"/g, '"conv_*"')
    .replace(/"(\w+_at)":\d+/g, '"$1":0'),
];

// A guard for routes added later: a strict querystring schema would answer 400 on api-version, before the 404.
test('every documented route answers a request with api-version exactly as one without', async () => {
  const document = t.app.swagger() as unknown as OpenApiDocument;
  const operations = [...operationsOf(document).values()];
  expect(operations.length).toBeGreaterThanOrEqual(9);
  for (const { method, path } of operations) {
    const url = path.replace(/\{(\w+)\}/g, (_, name: string) => `${name.split('_')[0]}_000000000000000000000000`);
    for (const prefix of API_PREFIXES) {
      const target = prefix + withoutApiPrefix(url);
      const upper = method.toUpperCase() as 'GET' | 'POST' | 'DELETE';
      const plain = await t.app.inject({ method: upper, url: target });
      const versioned = await t.app.inject({ method: upper, url: `${target}?api-version=2024-05-01-preview` });
      expect(shapeOf(versioned), `${upper} ${target}`).toEqual(shapeOf(plain));
    }
  }
});

test("repeated slashes count as one (openai-node 4 and 5 send '//openai/...' for an endpoint ending in '/'); a trailing one does not", async () => {
  const thread = await call('POST', '//openai/threads?api-version=2024-05-01-preview', {});
  expect(await call('GET', `/v1//threads//${thread.id}`)).toEqual(thread);
  const trailing = await t.app.inject({ method: 'GET', url: `/openai/threads/${thread.id}/` });
  expect(trailing.statusCode).toBe(404);
  expect(trailing.json().error.message).toBe(`Invalid URL (GET /openai/threads/${thread.id}/)`);
});

test('metrics stay at the root only', async () => {
  expect((await t.app.inject({ method: 'GET', url: '/openai/metrics' })).statusCode).toBe(404);
});
