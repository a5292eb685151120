import { connect } from 'node:net';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { createThread, expectError } from '../helpers/api.js';
import { buildTestApp, startTestServer, testEngine, type TestApp } from '../helpers/app.js';

/** Rows of the error table decided before validation: routing, headers, body parsing, and the 500. */

const open: TestApp[] = [];
async function app(env: Record<string, string> = {}) {
  const t = await buildTestApp(env);
  open.push(t);
  return t.app;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

const INVALID_JSON =
  'We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.';
const V1_BETA =
  "The v1 Assistants API has been deprecated. Please try again by setting the header 'OpenAI-Beta: assistants=v2'.";

describe('body parsing', () => {
  test.each(['{', '{"role": "user",}', "{'a': 1}", 'nope'])('invalid JSON %s', async (payload) => {
    const res = await (await app()).inject({
      method: 'POST',
      url: '/v1/threads',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expectError(res, 400, { message: INVALID_JSON, param: null, code: null });
  });

  test('a prototype-poisoning body is refused with its own 400, not a 500', async () => {
    const res = await (await app()).inject({
      method: 'POST',
      url: '/v1/threads',
      headers: { 'content-type': 'application/json' },
      payload: '{"metadata": {"__proto__": {"x": "y"}}}',
    });
    expectError(res, 400, {
      message:
        "We could not accept the JSON body of your request: keys named '__proto__', or 'constructor' holding 'prototype', are not allowed.",
      param: null,
      code: 'invalid_value',
    });
  });

  test.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'content type %s is a 415',
    async (contentType) => {
      const res = await (await app()).inject({
        method: 'POST',
        url: '/v1/threads',
        headers: { 'content-type': contentType },
        payload: '{}',
      });
      expectError(res, 415, {
        message: `Unsupported content type '${contentType.split(';')[0]}': send application/json.`,
        param: null,
        code: null,
      });
    },
  );

  test('application/json with a charset is JSON', async () => {
    const res = await (await app()).inject({
      method: 'POST',
      url: '/v1/threads',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: '{"metadata": {"a": "b"}}',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().metadata).toEqual({ a: 'b' });
  });

  test('a body over BODY_LIMIT is a 413 naming the limit', async () => {
    const small = await app({ BODY_LIMIT: '2048' });
    const fits = await small.inject({
      method: 'POST',
      url: '/v1/threads',
      payload: { metadata: { k: 'v'.repeat(500) } },
    });
    expect(fits.statusCode).toBe(200);
    const messages = Array.from({ length: 10 }, () => ({ role: 'user', content: 'x'.repeat(300) }));
    const res = await small.inject({ method: 'POST', url: '/v1/threads', payload: { messages } });
    expectError(res, 413, { message: 'Request body too large: the limit is 2048 bytes.', param: null, code: null });
  });

  test('a body over the limit is a 413 whatever its content type', async () => {
    const small = await app({ BODY_LIMIT: '1024' });
    for (const method of ['POST', 'DELETE'] as const) {
      const res = await small.inject({
        method,
        url: '/v1/threads/thread_abc',
        headers: { 'content-type': 'text/plain' },
        payload: 'x'.repeat(2000),
      });
      expectError(res, 413, { message: 'Request body too large: the limit is 1024 bytes.', param: null, code: null });
    }
  });

  test('the default limit is at least 2 MiB and fits the largest valid message', async () => {
    const t = await buildTestApp();
    open.push(t);
    expect(t.config.bodyLimit).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    const thread = await createThread(t.app);
    const metadata = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [`${i}`.padEnd(64, '😀'), '😀'.repeat(512)]),
    );
    const payload = { role: 'user', content: '😀'.repeat(256_000), metadata };
    const res = await t.app.inject({ method: 'POST', url: `/v1/threads/${thread.id}/messages`, payload });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  });
});

describe('routing', () => {
  test.each([
    ['GET', '/v1/nope'],
    ['GET', '/nope'],
    ['PATCH', '/v1/threads/x'],
    ['PUT', '/v1/threads/thread_abc/messages'],
    ['DELETE', '/v1/threads'],
    ['GET', '/v1/vector_stores'],
    ['GET', '/v2/threads/thread_abc'],
  ])('%s %s is an invalid URL', async (method, url) => {
    const res = await (await app()).inject({ method: method as 'GET', url });
    expectError(res, 404, { message: `Invalid URL (${method} ${url})`, param: null, code: null });
  });

  test.each([
    ['an undecodable percent-encoding', '/v1/threads/%ZZ'],
    ['a truncated UTF-8 escape', '/v1/threads/thread_%E0%A4%A/messages'],
    ['a path segment over the router limit', `/v1/threads/thread_${'a'.repeat(600)}`],
  ])('a URL with %s names no route: 404 envelope with a request id', async (_, url) => {
    const res = await (await app()).inject({ method: 'GET', url });
    expectError(res, 404, { message: `Invalid URL (GET ${url})`, param: null, code: null });
    expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
  });

  test('the query string is not part of the URL in the message', async () => {
    const res = await (await app()).inject({ method: 'GET', url: '/v1/nope?limit=3' });
    expectError(res, 404, { message: 'Invalid URL (GET /v1/nope)', param: null, code: null });
  });
});

describe('OpenAI-Beta', () => {
  test.each(['assistants=v1', 'ASSISTANTS=V1', 'realtime=v1, assistants=v1', 'assistants=v1,foo=bar'])(
    '%s is refused',
    async (beta) => {
      const t = await app();
      for (const route of [
        { method: 'POST', url: '/v1/threads', payload: {} },
        { method: 'GET', url: '/threads/thread_abc/messages' },
      ] as const) {
        expectError(await t.inject({ ...route, headers: { 'openai-beta': beta } }), 400, {
          message: V1_BETA,
          param: null,
          code: 'invalid_beta',
        });
      }
    },
  );

  test.each(['assistants=v2', 'assistants=v3', 'realtime=v1', 'assistants=v10', ''])('%s is accepted', async (beta) => {
    const res = await (await app()).inject({
      method: 'POST',
      url: '/v1/threads',
      payload: {},
      headers: { 'openai-beta': beta },
    });
    expect(res.statusCode).toBe(200);
  });

  test('health ignores it', async () => {
    const res = await (await app()).inject({
      method: 'GET',
      url: '/health',
      headers: { 'openai-beta': 'assistants=v1' },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('precedence of faults', () => {
  test('unknown route before OpenAI-Beta', async () => {
    const res = await (await app()).inject({
      method: 'GET',
      url: '/v1/nope',
      headers: { 'openai-beta': 'assistants=v1' },
    });
    expectError(res, 404, { message: 'Invalid URL (GET /v1/nope)', param: null, code: null });
  });

  test('OpenAI-Beta before body size, content type and JSON', async () => {
    const t = await app({ BODY_LIMIT: '1024' });
    for (const [contentType, payload] of [
      ['application/json', '{'],
      ['text/plain', 'hi'],
      ['application/json', `{"metadata":{"k":"${'v'.repeat(2000)}"}}`],
    ]) {
      const res = await t.inject({
        method: 'POST',
        url: '/v1/threads',
        headers: { 'openai-beta': 'assistants=v1', 'content-type': contentType! },
        payload,
      });
      expectError(res, 400, { message: V1_BETA, param: null, code: 'invalid_beta' });
    }
  });

  test('body size before JSON parsing, JSON before validation, validation before existence', async () => {
    const t = await app({ BODY_LIMIT: '1024' });
    const tooBig = await t.inject({
      method: 'POST',
      url: '/v1/threads/thread_nope/messages',
      headers: { 'content-type': 'application/json' },
      payload: `{${'x'.repeat(2000)}`,
    });
    expectError(tooBig, 413, { message: 'Request body too large: the limit is 1024 bytes.', param: null, code: null });
    const badJson = await t.inject({
      method: 'POST',
      url: '/v1/threads/nope/messages',
      headers: { 'content-type': 'application/json' },
      payload: '{',
    });
    expectError(badJson, 400, { message: INVALID_JSON, param: null, code: null });
    const invalid = await t.inject({
      method: 'POST',
      url: '/v1/threads/thread_nope/messages',
      payload: { role: 'bot', content: 'hi' },
    });
    expectError(invalid, 400, {
      message: "Invalid value: 'bot'. Supported values are: 'user' and 'assistant'.",
      param: 'role',
      code: 'invalid_value',
    });
  });
});

describe('x-request-id', () => {
  test('on success, 4xx and unknown-route responses, unique per request', async () => {
    const t = await app();
    const responses = [
      await t.inject({ method: 'POST', url: '/v1/threads', payload: {} }),
      await t.inject({ method: 'GET', url: '/v1/threads/thread_nope' }),
      await t.inject({ method: 'POST', url: '/v1/threads', payload: { bad: 1 } }),
      await t.inject({ method: 'GET', url: '/v1/nope' }),
      await t.inject({ method: 'GET', url: '/health' }),
      await t.inject({ method: 'POST', url: '/v1/threads', headers: { 'content-type': 'text/plain' }, payload: 'x' }),
    ];
    const ids = responses.map((res) => res.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('an incoming x-request-id is not echoed (ids are ours)', async () => {
    const res = await (await app()).inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'mine' } });
    expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
  });
});

describe('over the wire', () => {
  /** Sends raw bytes to a listening test server and reads the whole answer. */
  async function rawExchange(request: string) {
    const server = await startTestServer();
    open.push(server);
    const { port } = new URL(server.baseURL);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    const [head, body] = answer.split('\r\n\r\n') as [string, string];
    const [statusLine, ...headerLines] = head.split('\r\n');
    const headers = Object.fromEntries(
      headerLines.map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
    );
    return { status: Number(statusLine!.split(' ')[1]), headers, body };
  }

  test('headers too large are a 431 envelope with a request id', async () => {
    const res = await rawExchange(`GET /v1/threads HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toMatch(/^application\/json\b/);
    expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
    expect(JSON.parse(res.body)).toEqual({
      error: { message: 'Request header fields too large.', type: 'invalid_request_error', param: null, code: null },
    });
  });

  test('a request line HTTP cannot parse still gets a JSON envelope with a request id', async () => {
    const res = await rawExchange('NOT A REQUEST\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
    expect(Object.keys(JSON.parse(res.body).error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });
});

// Breaks the SQLite file underneath the app.
test.skipIf(testEngine !== 'sqlite')('an unexpected failure is a 500 server_error without details', async () => {
  const t = await buildTestApp();
  open.push(t);
  const thread = await createThread(t.app);
  // Break the database behind the app's back: its next query fails inside SQLite.
  const db = new Database(t.dbPath);
  db.exec('DROP TABLE deleted_messages; DROP TABLE messages;');
  db.close();
  const res = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}/messages` });
  expectError(res, 500, {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    param: null,
    code: null,
  });
  expect(res.body).not.toMatch(/messages|sqlite|table/i);
  expect(res.headers['x-request-id']).toMatch(/^req_/);
});
