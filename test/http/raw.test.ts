import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/app.js';
import { parseRawResponse, send, sendBytes, type RawRequest, type RawResponse } from '../helpers/raw-http.js';

/*
 * The server over a real socket, with requests shaped as clients put them on the wire — including the ones
 * app.inject cannot express (no Content-Length at all, oversized headers, keep-alive).
 */

let server: Awaited<ReturnType<typeof startTestServer>>;
let host: string;

beforeAll(async () => {
  server = await startTestServer();
  host = new URL(server.baseURL).host;
});
afterAll(async () => server.close());

const REQUEST_ID = /^req_[0-9a-f]{32}$/;
const JSON_TYPE = /^application\/json(; ?charset=utf-8)?$/;
const call = (request: RawRequest) => send(server.baseURL, request);
const json = { 'content-type': 'application/json' };

function envelope(message: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type: 'invalid_request_error', param, code } };
}

/** Every error: the exact envelope, a JSON content type and a request id. */
function expectError(response: RawResponse, status: number, body: ReturnType<typeof envelope>) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(JSON_TYPE);
  expect(response.headers['x-request-id']).toMatch(REQUEST_ID);
  expect(JSON.parse(response.text)).toEqual(body);
}

async function newThread(metadata: Record<string, string> = {}) {
  const response = await call({
    method: 'POST',
    path: '/v1/threads',
    headers: json,
    body: JSON.stringify({ metadata }),
  });
  expect(response.status).toBe(200);
  return JSON.parse(response.text) as {
    id: string;
    object: 'thread';
    created_at: number;
    metadata: Record<string, string>;
  };
}

async function newMessage(threadId: string) {
  const response = await call({
    method: 'POST',
    path: `/v1/threads/${threadId}/messages`,
    headers: json,
    body: JSON.stringify({ role: 'user', content: 'hi' }),
  });
  expect(response.status).toBe(200);
  return JSON.parse(response.text) as { id: string };
}

describe('empty bodies', () => {
  it('DELETE with a JSON content type and no body at all, byte for byte as the Python SDK sends it', async () => {
    const thread = await newThread();
    const raw = await sendBytes(
      server.baseURL,
      `DELETE /v1/threads/${thread.id} HTTP/1.1\r\nHost: ${host}\r\nAccept: application/json\r\n` +
        `Content-Type: application/json\r\nOpenAI-Beta: assistants=v2\r\nConnection: close\r\n\r\n`,
    );
    const response = parseRawResponse(raw);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ id: thread.id, object: 'thread.deleted', deleted: true });
    expectError(
      await call({ method: 'GET', path: `/v1/threads/${thread.id}` }),
      404,
      envelope(`No thread found with id '${thread.id}'.`),
    );
  });

  it('DELETE of a message with a JSON content type and Content-Length: 0', async () => {
    const thread = await newThread();
    const message = await newMessage(thread.id);
    const response = await call({
      method: 'DELETE',
      path: `/v1/threads/${thread.id}/messages/${message.id}`,
      headers: { ...json, 'content-length': '0' },
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ id: message.id, object: 'thread.message.deleted', deleted: true });
  });

  it('GET with a JSON content type and an empty body, as openai-node v4 sends it', async () => {
    const thread = await newThread({ k: 'v' });
    const retrieved = await call({
      method: 'GET',
      path: `/v1/threads/${thread.id}`,
      headers: { ...json, 'content-length': '0' },
    });
    expect(retrieved.status).toBe(200);
    expect(JSON.parse(retrieved.text)).toEqual(thread);
    const listed = await call({ method: 'GET', path: `/v1/threads/${thread.id}/messages?limit=5`, headers: json });
    expect(listed.status).toBe(200);
    expect(JSON.parse(listed.text)).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
  });

  it('POST /threads with a JSON content type and an empty body reads as {}', async () => {
    const response = await call({ method: 'POST', path: '/v1/threads', headers: { ...json, 'content-length': '0' } });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      id: expect.stringMatching(/^thread_[0-9A-Za-z]{24}$/),
      object: 'thread',
      created_at: expect.any(Number),
      metadata: {},
      tool_resources: {},
    });
  });

  it('POST /threads with neither a content type nor a body', async () => {
    const raw = await sendBytes(server.baseURL, `POST /threads HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    const response = parseRawResponse(raw);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ object: 'thread', metadata: {}, tool_resources: {} });
  });

  it('an empty modify changes nothing, and an empty create-message is a missing role', async () => {
    const thread = await newThread({ keep: 'me' });
    const modified = await call({
      method: 'POST',
      path: `/v1/threads/${thread.id}`,
      headers: { ...json, 'content-length': '0' },
    });
    expect(modified.status).toBe(200);
    expect(JSON.parse(modified.text)).toEqual(thread);
    const created = await call({ method: 'POST', path: `/v1/threads/${thread.id}/messages`, headers: json, body: '' });
    expectError(created, 400, envelope("Missing required parameter: 'role'.", 'role', 'missing_required_parameter'));
  });
});

describe('request bodies', () => {
  it('accepts Content-Type: application/json; charset=utf-8', async () => {
    const response = await call({
      method: 'POST',
      path: '/v1/threads',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ metadata: { word: 'naïve ✓' } }),
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).metadata).toEqual({ word: 'naïve ✓' });
  });

  it('accepts a pretty-printed body sent in chunks', async () => {
    const body = JSON.stringify({ metadata: { pretty: 'yes' } }, null, 2);
    const raw = await sendBytes(
      server.baseURL,
      `POST /v1/threads HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
        `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    );
    const response = parseRawResponse(raw);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).metadata).toEqual({ pretty: 'yes' });
  });

  it('answers a text/plain body with 415 and a broken JSON body with 400', async () => {
    expectError(
      await call({ method: 'POST', path: '/v1/threads', headers: { 'content-type': 'text/plain' }, body: 'hello' }),
      415,
      envelope("Unsupported content type 'text/plain': send application/json."),
    );
    expectError(
      await call({ method: 'POST', path: '/v1/threads', headers: json, body: '{"metadata":' }),
      400,
      envelope(
        'We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.',
      ),
    );
  });
});

describe('path parameters', () => {
  it('are percent-decoded before use', async () => {
    const thread = await newThread({ found: 'yes' });
    const encoded = [...thread.id].map((ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`).join('');
    const response = await call({ method: 'GET', path: `/v1/threads/${encoded}` });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual(thread);
  });

  it('name the decoded id in a 404', async () => {
    expectError(
      await call({ method: 'GET', path: '/v1/threads/thread_a%20b%C3%A9' }),
      404,
      envelope("No thread found with id 'thread_a bé'."),
    );
    expectError(
      await call({ method: 'GET', path: '/v1/threads/thread_a%2Fb' }),
      404,
      envelope("No thread found with id 'thread_a/b'."),
    );
  });

  it('check the decoded prefix', async () => {
    const thread = await newThread();
    expectError(
      await call({ method: 'GET', path: `/v1/threads/${thread.id}/messages/%61bc` }),
      400,
      envelope("Invalid 'message_id': 'abc'. Expected an ID that begins with 'msg'.", 'message_id', 'invalid_value'),
    );
  });

  it('with broken percent-encoding answer the unknown-route 404 in the envelope', async () => {
    expectError(
      await call({ method: 'GET', path: '/v1/threads/thread_%E0%A4%A?limit=1' }),
      404,
      envelope('Invalid URL (GET /v1/threads/thread_%E0%A4%A)'),
    );
  });

  it('longer than the router takes answer the unknown-route 404 in the envelope', async () => {
    const long = `thread_${'x'.repeat(600)}`;
    expectError(
      await call({ method: 'GET', path: `/v1/threads/${long}` }),
      404,
      envelope(`Invalid URL (GET /v1/threads/${long})`),
    );
    const shorter = `thread_${'x'.repeat(400)}`;
    expectError(
      await call({ method: 'GET', path: `/v1/threads/${shorter}` }),
      404,
      envelope(`No thread found with id '${shorter}'.`),
    );
  });
});

describe('headers every response carries', () => {
  it('x-request-id on a success, a 4xx and an unknown route, different each time', async () => {
    const thread = await newThread();
    const responses = [
      await call({ method: 'GET', path: `/v1/threads/${thread.id}` }),
      await call({ method: 'GET', path: '/v1/threads/thread_missing' }),
      await call({ method: 'GET', path: '/v1/threads/abc' }),
      await call({ method: 'GET', path: '/v1/nope' }),
      await call({ method: 'GET', path: '/health' }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 404, 400, 404, 200]);
    const ids = responses.map((r) => r.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(REQUEST_ID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the unknown-route 404 names method and path, without the query string', async () => {
    expectError(await call({ method: 'GET', path: '/v1/nope' }), 404, envelope('Invalid URL (GET /v1/nope)'));
    expectError(await call({ method: 'GET', path: '/v1/nope?limit=1' }), 404, envelope('Invalid URL (GET /v1/nope)'));
    expectError(await call({ method: 'PUT', path: '/v1/threads' }), 404, envelope('Invalid URL (PUT /v1/threads)'));
    expectError(
      await call({ method: 'PATCH', path: '/threads/thread_x' }),
      404,
      envelope('Invalid URL (PATCH /threads/thread_x)'),
    );
  });

  it('JSON content type on every kind of error', async () => {
    const thread = await newThread();
    const errors = [
      await call({ method: 'GET', path: '/v1/threads/thread_missing' }),
      await call({ method: 'GET', path: `/v1/threads/${thread.id}/messages?limit=abc` }),
      await call({
        method: 'POST',
        path: `/v1/threads/${thread.id}/messages`,
        headers: json,
        body: '{"role":"system","content":"x"}',
      }),
      await call({ method: 'POST', path: '/v1/threads', headers: json, body: '[]' }),
      await call({ method: 'POST', path: '/v1/threads', headers: json, body: 'nope' }),
      await call({ method: 'POST', path: '/v1/threads', headers: { 'content-type': 'text/plain' }, body: 'x' }),
      await call({
        method: 'POST',
        path: '/v1/threads',
        headers: json,
        body: `{"metadata":{"k":"${'x'.repeat(3 * 1024 * 1024)}"}}`,
      }),
      await call({ method: 'GET', path: '/v1/threads', headers: { 'openai-beta': 'assistants=v1' } }),
      await call({ method: 'DELETE', path: '/v1/nope' }),
    ];
    expect(errors.map((r) => r.status)).toEqual([404, 400, 400, 400, 400, 415, 413, 400, 404]);
    for (const response of errors) {
      expect(response.headers['content-type']).toMatch(JSON_TYPE);
      expect(response.headers['x-request-id']).toMatch(REQUEST_ID);
      expect(Object.keys(JSON.parse(response.text).error)).toEqual(['message', 'type', 'param', 'code']);
    }
  });
});

describe('refused before routing', () => {
  it('headers over 16 KiB: 431 with the envelope', async () => {
    const raw = await sendBytes(
      server.baseURL,
      `GET /v1/threads/thread_x HTTP/1.1\r\nHost: ${host}\r\nX-Padding: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
    );
    const response = parseRawResponse(raw);
    expect(response.status).toBe(431);
    expect(response.headers['content-type']).toMatch(JSON_TYPE);
    expect(response.headers['x-request-id']).toMatch(REQUEST_ID);
    expect(JSON.parse(response.body)).toEqual(envelope('Request header fields too large.'));
  });

  it('a request line over 16 KiB: 431 with the envelope', async () => {
    const raw = await sendBytes(
      server.baseURL,
      `GET /v1/threads/thread_${'x'.repeat(17 * 1024)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    );
    const response = parseRawResponse(raw);
    expect(response.status).toBe(431);
    expect(JSON.parse(response.body)).toEqual(envelope('Request header fields too large.'));
  });

  it('a request that is not HTTP: 400 with the envelope', async () => {
    const response = parseRawResponse(await sendBytes(server.baseURL, 'HELLO THERE\r\n\r\n'));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(JSON_TYPE);
    expect(response.headers['x-request-id']).toMatch(REQUEST_ID);
    expect(JSON.parse(response.body)).toEqual(envelope('Bad request.'));
  });

  it('the server keeps serving afterwards', async () => {
    const response = await call({ method: 'GET', path: '/health' });
    expect(response.status).toBe(200);
  });
});

describe('connections', () => {
  it('one keep-alive connection carries many requests, errors and empty bodies included', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const thread = await newThread();
      const requests: RawRequest[] = [
        { method: 'GET', path: `/v1/threads/${thread.id}`, headers: json },
        {
          method: 'POST',
          path: `/v1/threads/${thread.id}/messages`,
          headers: json,
          body: '{"role":"user","content":"a"}',
        },
        { method: 'GET', path: '/v1/nope' },
        {
          method: 'POST',
          path: `/v1/threads/${thread.id}/messages`,
          headers: json,
          body: '{"role":"system","content":"a"}',
        },
        { method: 'GET', path: `/v1/threads/${thread.id}/messages?order=asc`, headers: json },
        { method: 'DELETE', path: `/v1/threads/${thread.id}`, headers: { ...json, 'content-length': '0' } },
        { method: 'GET', path: `/v1/threads/${thread.id}` },
      ];
      const responses: RawResponse[] = [];
      for (const request of requests) responses.push(await call({ ...request, agent }));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 400, 200, 200, 404]);
      expect(responses.map((r) => r.reusedSocket)).toEqual([false, true, true, true, true, true, true]);
      expect(new Set(responses.map((r) => r.localPort)).size).toBe(1);
      expect(JSON.parse(responses[4]!.text).data).toHaveLength(1);
    } finally {
      agent.destroy();
    }
  });

  it('a body that cannot be parsed closes its connection, and the next request gets a fresh one', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const broken = await call({ method: 'POST', path: '/v1/threads', headers: json, body: '{"broken"', agent });
      expect(broken.status).toBe(400);
      expect(broken.headers.connection).toBe('close');
      const next = await call({ method: 'GET', path: '/health', agent });
      expect(next.status).toBe(200);
      expect(next.reusedSocket).toBe(false);
    } finally {
      agent.destroy();
    }
  });

  it('pipelined requests on one socket are answered in order', async () => {
    const thread = await newThread();
    const one = `GET /v1/threads/${thread.id} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n\r\n`;
    const raw = await sendBytes(
      server.baseURL,
      `${one + one}GET /v1/nope HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
      (received) => received.includes('Invalid URL (GET /v1/nope)'),
    );
    const statuses = [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([200, 200, 404]);
    expect(raw.split(`"id":"${thread.id}"`)).toHaveLength(3);
  });
});

describe('HEAD and OPTIONS', () => {
  it('HEAD mirrors GET without a body', async () => {
    const thread = await newThread();
    const found = await call({ method: 'HEAD', path: `/v1/threads/${thread.id}` });
    expect(found.status).toBe(200);
    expect(found.text).toBe('');
    expect(found.headers['content-type']).toMatch(JSON_TYPE);
    expect(found.headers['x-request-id']).toMatch(REQUEST_ID);
    const missing = await call({ method: 'HEAD', path: '/v1/threads/thread_missing' });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('');
    expect((await call({ method: 'HEAD', path: '/health' })).status).toBe(200);
  });

  it('OPTIONS is an unknown route, answered in the envelope', async () => {
    expectError(
      await call({ method: 'OPTIONS', path: '/v1/threads' }),
      404,
      envelope('Invalid URL (OPTIONS /v1/threads)'),
    );
  });
});
