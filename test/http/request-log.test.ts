import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';

const KEY = 'sk-log-test-key-0123456789abcdef';
const SECRET_TEXT = 'the launch code is 0000-CONTENT-MARKER';
const SECRET_METADATA = 'METADATA-MARKER-value';

let t: TestApp;
let log: string;
beforeEach(async () => {
  log = '';
  const stream = new PassThrough();
  stream.on('data', (chunk) => (log += chunk.toString()));
  t = await buildTestApp({ LOG_LEVEL: 'info', API_KEYS: KEY }, { logStream: stream });
});
afterEach(async () => t.close());

const lines = () =>
  log
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));

test('one line per request with its id, route, status and time; no key, no content', async () => {
  const auth = { authorization: `Bearer ${KEY}` };
  const created = await t.app.inject({
    method: 'POST',
    url: '/v1/threads',
    headers: auth,
    payload: { messages: [{ role: 'user', content: SECRET_TEXT }], metadata: { k: SECRET_METADATA } },
  });
  const threadId = created.json().id;
  const responses = [
    created,
    await t.app.inject({
      method: 'POST',
      url: `/v1/threads/${threadId}/messages`,
      headers: auth,
      payload: { role: 'user', content: SECRET_TEXT },
    }),
    await t.app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages?limit=5`, headers: auth }),
    await t.app.inject({
      method: 'POST',
      url: `/v1/threads/${threadId}/messages`,
      headers: auth,
      payload: { role: 'system', content: SECRET_TEXT },
    }),
    await t.app.inject({
      method: 'GET',
      url: '/v1/threads/thread_x',
      headers: { authorization: 'Bearer sk-wrong-key-that-must-not-leak' },
    }),
    await t.app.inject({ method: 'GET', url: '/health' }),
  ];

  const requestLines = lines().filter((line) => line.msg === 'request');
  expect(requestLines).toHaveLength(responses.length);
  for (const [i, res] of responses.entries()) {
    const line = requestLines[i];
    expect(line.level).toBe(30);
    expect(line.reqId).toBe(res.headers['x-request-id']);
    expect(line.status).toBe(res.statusCode);
    expect(typeof line.ms).toBe('number');
    expect(line).toHaveProperty('route');
  }
  expect(requestLines[2].route).toBe('/v1/threads/:thread_id/messages');
  expect(requestLines.map((line) => line.status)).toEqual([200, 200, 200, 400, 401, 200]);

  expect(log).not.toContain(KEY);
  expect(log).not.toContain('sk-wrong-key-that-must-not-leak');
  expect(log).not.toContain('must-not-leak');
  expect(log).not.toContain(SECRET_TEXT);
  expect(log).not.toContain('CONTENT-MARKER');
  expect(log).not.toContain(SECRET_METADATA);
  expect(log.toLowerCase()).not.toContain('bearer');
});

test('the api-key header is no more logged than Authorization, even by a line that logs the headers', async () => {
  const wrong = 'sk-wrong-api-key-that-must-not-leak';
  await t.app.inject({ method: 'GET', url: '/openai/threads/thread_x', headers: { 'api-key': wrong } });
  await t.app.inject({ method: 'GET', url: '/openai/threads/thread_x', headers: { 'api-key': KEY } });
  const headers = { 'api-key': KEY, authorization: `Bearer ${KEY}` };
  t.app.log.info({ headers, request: { headers } }, 'headers');
  const line = lines().find((logged) => logged.msg === 'headers');
  const redacted = { 'api-key': '[Redacted]', authorization: '[Redacted]' };
  expect([line.headers, line.request.headers]).toEqual([redacted, redacted]);
  expect(log).not.toContain(KEY);
  expect(log).not.toContain('must-not-leak');
});
