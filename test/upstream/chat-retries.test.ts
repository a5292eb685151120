import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../src/upstream/chat-types.js';
import { createChatUpstream, type UpstreamConfig } from '../../src/upstream/chat-completions.js';
import { backoffMs, MAX_RETRY_AFTER_MS } from '../../src/upstream/retry-policy.js';
import { UpstreamError } from '../../src/upstream/upstream-error.js';
import { startScriptedUpstream, type ScriptedTurn, type ScriptedUpstream } from '../helpers/scripted-upstream.mjs';

// Retries happen before the first chunk only; each test counts the requests the upstream received.

const request: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: 'Hi' }] };
const answer: ScriptedTurn = { text: ['ok'] };

let upstream: ScriptedUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

async function run(turns: ScriptedTurn[], settings: Partial<UpstreamConfig> = {}) {
  upstream = await startScriptedUpstream(turns);
  const client = createChatUpstream({
    baseUrl: upstream.url,
    modelMap: {},
    connectTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    ...settings,
  });
  const started = Date.now();
  const chunks: ChatCompletionChunk[] = [];
  let error: unknown;
  try {
    for await (const chunk of client.stream(request)) chunks.push(chunk);
  } catch (caught) {
    error = caught;
  }
  return { chunks, error, ms: Date.now() - started, requests: upstream.requests.length };
}

const text = (chunks: ChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');

test('5xx before the first chunk: retried with a short backoff, twice by default', async () => {
  const recovered = await run([{ status: 500 }, { status: 503 }, answer]);
  expect(recovered).toMatchObject({ error: undefined, requests: 3 });
  expect(text(recovered.chunks)).toBe('ok');
  expect(recovered.ms).toBeGreaterThanOrEqual(250 + 500 - 10);
  await upstream?.close();
  const failed = await run([{ status: 500 }, { status: 502 }, { status: 504 }, answer]);
  expect(failed.requests).toBe(3);
  expect(failed.error).toMatchObject({ code: 'server_error', status: 504 });
});

test('UPSTREAM_MAX_RETRIES bounds the attempts: 0 is one request', async () => {
  expect(await run([{ status: 500 }, answer], { maxRetries: 0 })).toMatchObject({ requests: 1 });
  await upstream?.close();
  const three = await run([{ status: 500 }, { status: 500 }, { status: 500 }, answer], { maxRetries: 3 });
  expect(three).toMatchObject({ error: undefined, requests: 4 });
});

test('429 waits what Retry-After says when it is at most the cap', async () => {
  const result = await run([{ status: 429, headers: { 'retry-after': '1' } }, answer]);
  expect(result).toMatchObject({ error: undefined, requests: 2 });
  expect(result.ms).toBeGreaterThanOrEqual(990);
  await upstream?.close();
  const ms = await run([{ status: 429, headers: { 'retry-after-ms': '20' } }, answer]);
  expect(ms).toMatchObject({ error: undefined, requests: 2 });
});

test('429 with a Retry-After past the cap fails at once, the wait in retryAfterMs', async () => {
  const result = await run([{ status: 429, headers: { 'retry-after': '3600' } }, answer]);
  expect(result.requests).toBe(1);
  expect(result.ms).toBeLessThan(MAX_RETRY_AFTER_MS);
  expect(result.error).toBeInstanceOf(UpstreamError);
  expect(result.error).toMatchObject({ code: 'rate_limit_exceeded', status: 429, retryAfterMs: 3_600_000 });
});

test('429 without Retry-After: the backoff', async () => {
  const result = await run([{ status: 429 }, { status: 429 }, { status: 429 }]);
  expect(result.requests).toBe(3);
  expect(result.error).toMatchObject({ code: 'rate_limit_exceeded', retryAfterMs: undefined });
});

test.each([
  [400, 'invalid_prompt'],
  [404, 'invalid_prompt'],
  [422, 'invalid_prompt'],
  [401, 'server_error'],
  [403, 'server_error'],
])('%i is not retried', async (status, code) => {
  const result = await run([{ status }, answer]);
  expect(result.requests).toBe(1);
  expect(result.error).toMatchObject({ code, status });
});

test('after a chunk was given out nothing is retried: dropped, stalled or malformed streams fail', async () => {
  for (const fault of ['drop-mid-chunk', 'hang-mid-stream', 'malformed-chunk'] as const) {
    const result = await run([{ fault }, answer], { idleTimeoutMs: 200 });
    expect(result.chunks).toHaveLength(1);
    expect(result.requests).toBe(1);
    expect(result.error).toMatchObject({ code: 'server_error' });
    await upstream?.close();
  }
});

test('a time-out before the head is not retried: the turn already waited the whole time-out', async () => {
  const result = await run([{ fault: 'hang-before-headers' }, answer], { connectTimeoutMs: 200 });
  expect(result.requests).toBe(1);
  expect(result.error).toMatchObject({ code: 'server_error', message: 'The upstream sent no answer within 200 ms.' });
});

test('a connection reset before the head, or dropped before the first chunk, is retried', async () => {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (requests === 1) return req.socket.destroy();
    if (requests === 2) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      return setTimeout(() => res.socket?.resetAndDestroy(), 20);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(
      'data: {"id":"c","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = createChatUpstream({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    modelMap: {},
    connectTimeoutMs: 5000,
    idleTimeoutMs: 5000,
  });
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of client.stream(request)) chunks.push(chunk);
  } finally {
    server.closeAllConnections();
    server.close();
  }
  expect(text(chunks)).toBe('ok');
  expect(requests).toBe(3);
});

test('an abort during the wait ends it at once, without another request', async () => {
  upstream = await startScriptedUpstream([{ status: 429, headers: { 'retry-after': '5' } }, answer]);
  const client = createChatUpstream({
    baseUrl: upstream.url,
    modelMap: {},
    connectTimeoutMs: 5000,
    idleTimeoutMs: 5000,
  });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('cancelled')), 200);
  const started = Date.now();
  await expect(
    (async () => {
      for await (const _ of client.stream(request, { signal: controller.signal }));
    })(),
  ).rejects.toThrow('cancelled');
  expect(Date.now() - started).toBeLessThan(2000);
  expect(upstream.requests).toHaveLength(1);
});

test('the backoff doubles, with up to a quarter more at random', () => {
  expect([0, 1, 2].map((retry) => backoffMs(retry, 0))).toEqual([250, 500, 1000]);
  expect([0, 1, 2].map((retry) => backoffMs(retry, 1))).toEqual([313, 625, 1250]);
});
