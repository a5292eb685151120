import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../src/upstream/chat-types.js';
import { createChatUpstream, type UpstreamConfig } from '../../src/upstream/chat-completions.js';
import { UpstreamError } from '../../src/upstream/upstream-error.js';
import { startScriptedUpstream, type ScriptedTurn, type ScriptedUpstream } from '../helpers/scripted-upstream.mjs';

const KEY = 'sk-upstream-secret-0123456789';
const request: ChatCompletionRequest = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };

let upstream: ScriptedUpstream | undefined;
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function client(url: string, settings: Partial<UpstreamConfig> = {}) {
  // No retries unless a test asks: these tests are about what one answer gives (retries: chat-retries.test.ts).
  return createChatUpstream({
    maxRetries: 0,
    baseUrl: url,
    apiKey: KEY,
    modelMap: {},
    connectTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    ...settings,
  });
}

async function scripted(turns: ScriptedTurn[]) {
  upstream = await startScriptedUpstream(turns);
  return upstream;
}

async function collect(chunks: AsyncIterable<ChatCompletionChunk>) {
  const seen: ChatCompletionChunk[] = [];
  for await (const chunk of chunks) seen.push(chunk);
  return seen;
}

/** The chunks that came before the failure, and the failure. */
async function failure(chunks: AsyncIterable<ChatCompletionChunk>) {
  const seen: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of chunks) seen.push(chunk);
  } catch (error) {
    return { seen, error };
  }
  throw new Error(`no failure after ${seen.length} chunks`);
}

const asError = (error: unknown) => {
  expect(error).toBeInstanceOf(UpstreamError);
  const { message, code, status, retryAfterMs } = error as UpstreamError;
  return { message, code, status, retryAfterMs };
};

const serverError = (message: string) => ({
  message,
  code: 'server_error',
  status: undefined,
  retryAfterMs: undefined,
});

/** A server on port 0 with a handler of the test's own, for answers the scripted upstream does not give. */
async function rawServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a text turn: POST {base}/chat/completions, streamed with usage, with the key; the chunks as sent', async () => {
  const { url, requests } = await scripted([
    { text: ['Hel', 'lo'], usage: { prompt_tokens: 4, completion_tokens: 2 } },
  ]);
  const chunks = await collect(client(`${url}/`).stream({ ...request, temperature: 0.5, stream: false }));
  expect(
    chunks.map((chunk) => [chunk.choices[0]?.delta, chunk.choices[0]?.finish_reason ?? null, chunk.usage ?? null]),
  ).toEqual([
    [{ role: 'assistant', content: '' }, null, null],
    [{ content: 'Hel' }, null, null],
    [{ content: 'lo' }, null, null],
    [{}, 'stop', null],
    [undefined, null, { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 }],
  ]);
  expect(chunks[0]).toMatchObject({ id: 'chatcmpl-scripted0', object: 'chat.completion.chunk', model: 'gpt-4o' });
  expect(requests).toHaveLength(1);
  expect(requests[0]?.path).toBe('/v1/chat/completions');
  expect(requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  expect(requests[0]?.headers['content-type']).toBe('application/json');
  expect(requests[0]?.body).toEqual({
    ...request,
    temperature: 0.5,
    stream: true,
    stream_options: { include_usage: true },
  });
});

test('no key: no Authorization header', async () => {
  const { url, requests } = await scripted([{ text: ['a'] }]);
  await collect(
    createChatUpstream({ baseUrl: url, modelMap: {}, connectTimeoutMs: 5000, idleTimeoutMs: 5000 }).stream(request),
  );
  expect(requests[0]?.headers.authorization).toBeUndefined();
});

test('model() maps names through the model map and passes others unchanged', () => {
  const upstream = client('http://127.0.0.1:1/v1', { modelMap: { 'gpt-4o': 'llama3.1:8b' } });
  expect(upstream.model('gpt-4o')).toBe('llama3.1:8b');
  expect(upstream.model('qwen2.5:7b')).toBe('qwen2.5:7b');
  expect(upstream.model('constructor')).toBe('constructor');
});

test('tool-call fragments pass through as the upstream sent them, variants included', async () => {
  const { url } = await scripted([
    { toolCalls: [{ name: 'f', arguments: ['{"a"', ':1}'], id: 'call_x' }] },
    { toolCalls: [{ name: 'f', arguments: ['{}'] }], omitIndex: true, omitId: true },
  ]);
  const fragments = async () =>
    (await collect(client(url).stream(request))).flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
  expect(await fragments()).toEqual([
    { index: 0, id: 'call_x', type: 'function', function: { name: 'f', arguments: '' } },
    { index: 0, function: { arguments: '{"a"' } },
    { index: 0, function: { arguments: ':1}' } },
  ]);
  expect(await fragments()).toEqual([
    { type: 'function', function: { name: 'f', arguments: '' } },
    { function: { arguments: '{}' } },
  ]);
});

test('500 → server_error with the upstream message', async () => {
  const { url } = await scripted([{ status: 500 }, { status: 503, body: 'upstream overloaded' }]);
  expect(asError((await failure(client(url).stream(request))).error)).toEqual({
    message: 'The upstream answered 500: Scripted 500.',
    code: 'server_error',
    status: 500,
    retryAfterMs: undefined,
  });
  expect(asError((await failure(client(url).stream(request))).error)).toEqual({
    message: 'The upstream answered 503: upstream overloaded',
    code: 'server_error',
    status: 503,
    retryAfterMs: undefined,
  });
});

test('429 → rate_limit_exceeded, with Retry-After (seconds, date, retry-after-ms) and without', async () => {
  const body = { error: { message: 'Rate limit reached.', type: 'requests', code: 'rate_limit_exceeded' } };
  const { url } = await scripted([
    { status: 429, body, headers: { 'retry-after': '3' } },
    { status: 429, body, headers: { 'retry-after-ms': '1500', 'retry-after': '2' } },
    { status: 429, body, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } },
    { status: 429, body },
  ]);
  const next = async () => asError((await failure(client(url).stream(request))).error);
  const expected = {
    message: 'The upstream answered 429: Rate limit reached.',
    code: 'rate_limit_exceeded',
    status: 429,
  };
  expect(await next()).toEqual({ ...expected, retryAfterMs: 3000 });
  expect(await next()).toEqual({ ...expected, retryAfterMs: 1500 });
  const dated = await next();
  expect(dated.retryAfterMs).toBeGreaterThan(55_000);
  expect(dated.retryAfterMs).toBeLessThanOrEqual(60_000);
  expect(await next()).toEqual({ ...expected, retryAfterMs: undefined });
});

test.each([
  [
    400,
    { error: { message: "This model's maximum context length is 8192 tokens.", type: 'invalid_request_error' } },
    "This model's maximum context length is 8192 tokens.",
  ],
  [
    404,
    { error: { message: 'model "llama9" not found, try pulling it first', type: 'api_error' } },
    'model "llama9" not found, try pulling it first',
  ],
  [
    422,
    { object: 'error', message: 'tools[0].function.parameters is invalid', type: 'BadRequestError', code: 422 },
    'tools[0].function.parameters is invalid',
  ],
  [400, { detail: 'Field required' }, 'Field required'],
])('%i → invalid_prompt, the upstream message kept', async (status, body, said) => {
  const { url } = await scripted([{ status, body }]);
  expect(asError((await failure(client(url).stream(request))).error)).toEqual({
    message: `The upstream answered ${status}: ${said}`,
    code: 'invalid_prompt',
    status,
    retryAfterMs: undefined,
  });
});

test.each([
  ['hang-before-headers', { connectTimeoutMs: 300 }, 0, 'The upstream sent no answer within 300 ms.'],
  ['hang-mid-stream', { idleTimeoutMs: 300 }, 1, 'The upstream sent nothing for 300 ms mid-answer.'],
  ['drop-mid-chunk', {}, 1, 'The upstream dropped the connection mid-answer (ECONNRESET).'],
  ['malformed-chunk', {}, 1, 'The upstream sent a malformed stream: a chunk is not JSON.'],
] as const)('fault %s → server_error after the chunks that came', async (fault, settings, before, message) => {
  const { url, requests } = await scripted([{ fault }]);
  const started = Date.now();
  const { seen, error } = await failure(client(url, settings).stream(request));
  if (fault.startsWith('hang')) expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect(seen.map((chunk) => chunk.choices[0]?.delta)).toEqual([{ role: 'assistant', content: '' }].slice(0, before));
  expect(requests).toHaveLength(1);
  expect(asError(error)).toEqual(serverError(message));
});

test('the idle time-out counts only time spent waiting for the upstream, not a slow consumer', async () => {
  const { url } = await scripted([{ text: ['a', 'b'] }]);
  const chunks = [];
  for await (const chunk of client(url, { idleTimeoutMs: 100 }).stream(request)) {
    chunks.push(chunk);
    await sleep(150);
  }
  expect(chunks).toHaveLength(5);
});

test('connection refused → server_error', async () => {
  const { server, url } = await rawServer(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  const { error } = await failure(client(url).stream(request));
  expect(asError(error)).toEqual(serverError('Could not reach the upstream (ECONNREFUSED).'));
});

test('an error event mid-stream (vLLM, LiteLLM) → server_error with its message', async () => {
  const { url } = await rawServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"id":"c","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}\n\n');
    res.end('data: {"error":{"message":"CUDA out of memory","type":"InternalServerError","code":500}}\n\n');
  });
  const { seen, error } = await failure(client(url).stream(request));
  expect(seen).toHaveLength(1);
  expect(asError(error)).toEqual(serverError('The upstream failed mid-answer: CUDA out of memory'));
});

test('a stream that ends without [DONE]: complete after a finish_reason, server_error before one', async () => {
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  let finish = true;
  const { url } = await rawServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(chunk({ content: 'a' }, null) + (finish ? chunk({}, 'stop') : ''));
  });
  expect(await collect(client(url).stream(request))).toHaveLength(2);
  finish = false;
  const { seen, error } = await failure(client(url).stream(request));
  expect(seen).toHaveLength(1);
  expect(asError(error)).toEqual(serverError('The upstream closed the stream before the answer was complete.'));
});

test('a 200 with a JSON body instead of a stream → server_error', async () => {
  const { url } = await rawServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"stream is not supported"}}');
  });
  expect(asError((await failure(client(url).stream(request))).error)).toMatchObject({
    message: 'The upstream failed: stream is not supported',
    code: 'server_error',
    status: 200,
  });
});

test('the event stream is read as the spec says: CRLF and CR, comments, events split across reads, UTF-8 split mid-character', async () => {
  const text = 'héllo wörld ✓';
  const body =
    ': ping\r\n\r\n' +
    `event: message\r\ndata: {"id":"c","choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"finish_reason":null}]}\r\n\r\n` +
    'data: {"id":"c","choices":[{"index":0,\rdata: "delta":{},"finish_reason":"stop"}]}\r\r' +
    ':\n\ndata: [DONE]\n\n';
  const { url } = await rawServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const bytes = Buffer.from(body, 'utf8');
    for (let at = 0; at < bytes.length; at += 3) {
      res.write(bytes.subarray(at, at + 3));
      await sleep(1);
    }
    res.end();
  });
  const chunks = await collect(client(url).stream(request));
  expect(chunks.map((chunk) => chunk.choices[0])).toEqual([
    { index: 0, delta: { content: text }, finish_reason: null },
    { index: 0, delta: {}, finish_reason: 'stop' },
  ]);
});

test('a line longer than 1 MiB → server_error, and the client stops reading (memory bounded)', async () => {
  let written = 0;
  let closed = false;
  const { url } = await rawServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.on('close', () => {
      closed = true;
    });
    res.write('data: "');
    const piece = 'x'.repeat(64 * 1024);
    while (!closed && written < 64 * 1024 * 1024) {
      if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      written += piece.length;
    }
    res.end();
  });
  const { error } = await failure(client(url).stream(request));
  expect(asError(error)).toEqual(
    serverError('The upstream sent a malformed stream: an event-stream line is longer than 1048576 characters.'),
  );
  await sleep(50);
  expect(closed).toBe(true);
  // What the server got out before the client hung up: the 1 MiB read plus what the sockets buffer.
  expect(written).toBeLessThan(8 * 1024 * 1024);
});

test('an aborted signal stops the request, before the head and mid-stream, with the signal reason', async () => {
  const { url, requests } = await scripted([
    { fault: 'hang-before-headers' },
    { text: ['a', 'b', 'c'], chunkDelayMs: 200 },
  ]);
  const before = new AbortController();
  setTimeout(() => before.abort(new Error('run cancelled')), 100);
  expect((await failure(client(url).stream(request, { signal: before.signal }))).error).toEqual(
    new Error('run cancelled'),
  );
  const during = new AbortController();
  const chunks = client(url).stream(request, { signal: during.signal });
  const { seen, error } = await failure(
    (async function* () {
      for await (const chunk of chunks) {
        yield chunk;
        during.abort();
      }
    })(),
  );
  expect(seen).toHaveLength(1);
  expect((error as Error).name).toBe('AbortError');
  expect(requests).toHaveLength(2);
  const already = AbortSignal.abort();
  expect((await failure(client(url).stream(request, { signal: already }))).error).toBe(already.reason);
  expect(requests).toHaveLength(2);
});

test('leaving the loop early closes the upstream connection', async () => {
  let closed = false;
  const { url } = await rawServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"id":"c","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}\n\n');
    res.on('close', () => {
      closed = true;
    });
  });
  for await (const _ of client(url).stream(request)) break;
  await sleep(50);
  expect(closed).toBe(true);
});
