import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { SERVER_TIMEOUTS } from '../../src/app.js';
import { buildTestApp, startTestServer, type TestApp } from '../helpers/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('body limit and content type', () => {
  test('a body over BODY_LIMIT is 413 with the envelope, before validation', async () => {
    t = await buildTestApp({ BODY_LIMIT: '2048' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/threads',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ unknown: 'x'.repeat(3000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: {
        message: 'Request body too large: the limit is 2048 bytes.',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  test('the default limit takes the largest valid message (256,000 four-byte characters) and refuses more than 2 MiB', async () => {
    t = await buildTestApp();
    const created = await t.app.inject({ method: 'POST', url: '/v1/threads', payload: {} });
    const threadId = created.json().id;
    const largest = await t.app.inject({
      method: 'POST',
      url: `/v1/threads/${threadId}/messages`,
      payload: { role: 'user', content: '😀'.repeat(256_000) },
    });
    expect(largest.statusCode).toBe(200);
    const over = await t.app.inject({
      method: 'POST',
      url: `/v1/threads/${threadId}/messages`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(over.statusCode).toBe(413);
    expect(over.json().error.message).toBe('Request body too large: the limit is 2097152 bytes.');
  });

  test('a body in another content type is 415 with the envelope', async () => {
    t = await buildTestApp();
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/threads',
        headers: { 'content-type': contentType },
        payload: 'a=b',
      });
      expect(res.statusCode, contentType).toBe(415);
      expect(res.json()).toEqual({
        error: {
          message: `Unsupported content type '${contentType.split(';')[0]}': send application/json.`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    }
  });
});

describe('server timeouts', () => {
  test('the listening server has explicit header, request and keep-alive timeouts', async () => {
    const server = await startTestServer();
    t = server;
    expect(server.app.server.headersTimeout).toBe(SERVER_TIMEOUTS.headersTimeout);
    expect(server.app.server.requestTimeout).toBe(SERVER_TIMEOUTS.requestTimeout);
    expect(server.app.server.keepAliveTimeout).toBe(SERVER_TIMEOUTS.keepAliveTimeout);
    expect(SERVER_TIMEOUTS.headersTimeout).toBeLessThanOrEqual(SERVER_TIMEOUTS.requestTimeout);
  });
});

describe('requests refused by the HTTP parser', () => {
  async function refusedWith(error: NodeJS.ErrnoException) {
    const server = await startTestServer();
    t = server;
    const accepted = once(server.app.server, 'connection');
    const client = connect(Number(new URL(server.baseURL).port), '127.0.0.1');
    let received = '';
    client.on('data', (chunk) => (received += chunk));
    client.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const [serverSide] = await accepted;
    // What Node's server does when a client is too slow, or sends something it cannot parse.
    server.app.server.emit('clientError', error, serverSide);
    await once(client, 'end');
    const [head, body] = received.split('\r\n\r\n');
    return { head: head!, body: JSON.parse(body!) };
  }

  test('a request that does not arrive within the timeouts: 408 with the envelope', async () => {
    const { head, body } = await refusedWith(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }));
    expect(head).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect(body).toEqual({
      error: {
        message: 'Request timed out: the request was not received in time.',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  test('headers too large: 431 with the envelope', async () => {
    const { head, body } = await refusedWith(Object.assign(new Error('overflow'), { code: 'HPE_HEADER_OVERFLOW' }));
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(body.error.message).toBe('Request header fields too large.');
  });
});

describe('rate limit', () => {
  const KEY_A = 'sk-rate-a-000000000000000';
  const KEY_B = 'sk-rate-b-000000000000000';

  test('off by default: no rate-limit headers', async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: 'POST', url: '/v1/threads', payload: {} });
    expect(res.headers['x-ratelimit-limit-requests']).toBeUndefined();
  });

  test('per key, across /v1 and the root: OpenAI headers, then 429 with the envelope and Retry-After', async () => {
    t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '3', API_KEYS: `${KEY_A},${KEY_B}` });
    const call = (key: string, url = '/v1/threads') =>
      t!.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}` }, payload: {} });
    const first = await call(KEY_A);
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-ratelimit-limit-requests']).toBe('3');
    expect(first.headers['x-ratelimit-remaining-requests']).toBe('2');
    expect(first.headers['x-ratelimit-reset-requests']).toMatch(/^\d+s$/);
    expect(first.headers['x-ratelimit-limit']).toBeUndefined();
    expect((await call(KEY_A, '/threads')).headers['x-ratelimit-remaining-requests']).toBe('1');
    expect((await call(KEY_A)).statusCode).toBe(200);

    const limited = await call(KEY_A);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/json/);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(limited.json()).toEqual({
      error: {
        message: `Rate limit reached for requests per minute: limit 3. Please try again in ${retryAfter}s.`,
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });

    // Over the limit, the 429 answers before the body is read.
    const badBody = await t.app.inject({
      method: 'POST',
      url: '/v1/threads',
      headers: { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(badBody.statusCode).toBe(429);

    // Another key has its own budget; health is never limited.
    expect((await call(KEY_B)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  test('without keys, the limit counts per client address', async () => {
    t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '2' });
    const call = (ip: string) => t!.app.inject({ method: 'POST', url: '/v1/threads', remoteAddress: ip, payload: {} });
    expect((await call('10.0.0.1')).statusCode).toBe(200);
    expect((await call('10.0.0.1')).statusCode).toBe(200);
    expect((await call('10.0.0.1')).statusCode).toBe(429);
    expect((await call('10.0.0.2')).statusCode).toBe(200);
  });

  test('unauthenticated requests are refused before they count against a key', async () => {
    t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '1', API_KEYS: KEY_A });
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/threads',
        headers: { authorization: 'Bearer wrong-key-000000' },
      });
      expect(res.statusCode).toBe(401);
    }
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/threads',
      headers: { authorization: `Bearer ${KEY_A}` },
      payload: {},
    });
    expect(ok.statusCode).toBe(200);
  });
});

describe('CORS', () => {
  test('off by default: no CORS headers, and a preflight is an unknown route', async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://app.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/threads',
      headers: { origin: 'https://app.example' },
    });
    expect(preflight.statusCode).toBe(404);
  });

  test('CORS_ORIGINS: listed origins are allowed, preflight answers without a key, others get no grant', async () => {
    t = await buildTestApp({ CORS_ORIGINS: 'https://app.example', API_KEYS: 'sk-cors-key-0000000000' });
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/threads',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,openai-beta',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');

    const refused = await t.app.inject({
      method: 'GET',
      url: '/v1/threads/thread_x',
      headers: { origin: 'https://app.example' },
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(refused.headers['access-control-expose-headers']).toContain('x-request-id');

    const other = await t.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('closing', () => {
  test('a request in flight when the server starts closing completes; one arriving after it gets 503 with the envelope', async () => {
    const server = await startTestServer();
    t = server;
    const { port } = new URL(server.baseURL);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    await once(socket, 'connect');
    const body = JSON.stringify({ metadata: { during: 'close' } });
    // The head and half the body: the request is in flight (its onRequest hooks have run).
    const arrived = once(server.app.server, 'request');
    socket.write(
      `POST /v1/threads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.slice(0, 10));
    await arrived;
    await new Promise((resolve) => setImmediate(resolve));
    const closing = server.app.close();
    await until(() => !server.app.server.listening);
    // The rest of the body, then a second request pipelined on the same connection.
    socket.write(`${body.slice(10)}GET /health HTTP/1.1\r\nHost: x\r\n\r\n`);
    await closing;
    await until(() => received.split('HTTP/1.1 ').length - 1 >= 2 || socket.destroyed);
    socket.destroy();

    const responses = received.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(JSON.parse(responses[0]!.split('\r\n\r\n')[1]!).metadata).toEqual({ during: 'close' });
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503 /);
    expect(responses[1]!.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(responses[1]!.split('\r\n\r\n')[1]!)).toEqual({
      error: {
        message: 'The server is shutting down. Please retry your request.',
        type: 'server_error',
        param: null,
        code: null,
      },
    });
  });
});

/** Waits for a condition by polling; the test's own timeout bounds it. */
async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
