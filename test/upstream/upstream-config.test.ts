import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { ChatCompletionChunk } from '../../src/upstream/chat-types.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.mjs';

const KEY = 'sk-upstream-secret-0123456789';

let app: TestApp | undefined;
let upstream: ScriptedUpstream | undefined;
afterEach(async () => {
  await app?.close();
  await upstream?.close();
  app = undefined;
  upstream = undefined;
});

test('no UPSTREAM_BASE_URL: no upstream', () => {
  expect(loadConfig({}).upstream).toBeUndefined();
});

test('the upstream settings are read, with defaults', () => {
  expect(loadConfig({ UPSTREAM_BASE_URL: 'http://127.0.0.1:11434/v1' }).upstream).toEqual({
    baseUrl: 'http://127.0.0.1:11434/v1',
    modelMap: {},
    connectTimeoutMs: 60_000,
    idleTimeoutMs: 60_000,
    maxRetries: 2,
  });
  const upstream = loadConfig({
    UPSTREAM_BASE_URL: 'https://llm.internal:8000/v1/',
    UPSTREAM_API_KEY: KEY,
    UPSTREAM_MODEL_MAP: 'gpt-4o=llama3.1:8b, gpt-4o-mini = qwen2.5:7b,,o1=meta-llama/Llama-3.1-8B-Instruct',
    UPSTREAM_TIMEOUT_MS: '5000',
    UPSTREAM_IDLE_TIMEOUT_MS: '20000',
    UPSTREAM_MAX_RETRIES: '0',
  }).upstream;
  expect(upstream).toEqual({
    baseUrl: 'https://llm.internal:8000/v1',
    modelMap: { 'gpt-4o': 'llama3.1:8b', 'gpt-4o-mini': 'qwen2.5:7b', o1: 'meta-llama/Llama-3.1-8B-Instruct' },
    connectTimeoutMs: 5000,
    idleTimeoutMs: 20_000,
    maxRetries: 0,
  });
  expect(upstream?.apiKey).toBe(KEY);
});

test('the key and a URL with credentials are in no dump of the config: JSON, inspect, a spread', () => {
  const config = loadConfig({ UPSTREAM_BASE_URL: 'http://127.0.0.1:11434/v1', UPSTREAM_API_KEY: KEY });
  const withCredentials = loadConfig({ UPSTREAM_BASE_URL: 'http://hunter2-user:pw-5ecret@127.0.0.1:11434/v1' });
  expect(withCredentials.upstream?.baseUrl).toBe('http://hunter2-user:pw-5ecret@127.0.0.1:11434/v1');
  for (const secret of [KEY, 'hunter2-user', 'pw-5ecret']) {
    for (const dumped of [config, withCredentials]) {
      expect(JSON.stringify(dumped)).not.toContain(secret);
      expect(inspect(dumped, { depth: null })).not.toContain(secret);
      expect(JSON.stringify({ ...dumped.upstream })).not.toContain(secret);
    }
  }
});

test.each([
  [
    { UPSTREAM_BASE_URL: 'localhost:11434' },
    "UPSTREAM_BASE_URL must be an http:// or https:// URL without query, e.g. http://127.0.0.1:11434/v1, got 'localhost:11434'",
  ],
  [
    { UPSTREAM_BASE_URL: 'ftp://h/v1' },
    "UPSTREAM_BASE_URL must be an http:// or https:// URL without query, e.g. http://127.0.0.1:11434/v1, got 'ftp://h/v1'",
  ],
  [
    { UPSTREAM_BASE_URL: 'http://user:hunter2@h/v1?x=1' },
    "UPSTREAM_BASE_URL must be an http:// or https:// URL without query, e.g. http://127.0.0.1:11434/v1, got 'http://***@h/v1?x=1'",
  ],
  [
    { UPSTREAM_BASE_URL: 'http://h/v1', UPSTREAM_MODEL_MAP: 'gpt-4o' },
    "UPSTREAM_MODEL_MAP must be comma-separated name=model pairs, got 'gpt-4o'",
  ],
  [
    { UPSTREAM_BASE_URL: 'http://h/v1', UPSTREAM_MODEL_MAP: 'a=b,=c' },
    "UPSTREAM_MODEL_MAP must be comma-separated name=model pairs, got '=c'",
  ],
  [{ UPSTREAM_BASE_URL: 'http://h/v1', UPSTREAM_MODEL_MAP: 'a=b,a=c' }, "UPSTREAM_MODEL_MAP names 'a' twice"],
  [
    { UPSTREAM_BASE_URL: 'http://h/v1', UPSTREAM_TIMEOUT_MS: '0' },
    "Invalid configuration: UPSTREAM_TIMEOUT_MS must be an integer of at least 1, got '0'",
  ],
  [
    { UPSTREAM_BASE_URL: 'http://h/v1', UPSTREAM_IDLE_TIMEOUT_MS: '1m' },
    "Invalid configuration: UPSTREAM_IDLE_TIMEOUT_MS must be an integer of at least 1, got '1m'",
  ],
  [
    { UPSTREAM_BASE_URL: 'http://h/v1', UPSTREAM_MAX_RETRIES: '11' },
    "Invalid configuration: UPSTREAM_MAX_RETRIES must be an integer from 0 to 10, got '11'",
  ],
  [{ UPSTREAM_API_KEY: KEY }, 'UPSTREAM_API_KEY is set but UPSTREAM_BASE_URL is not'],
  [{ UPSTREAM_MODEL_MAP: 'a=b' }, 'UPSTREAM_MODEL_MAP is set but UPSTREAM_BASE_URL is not'],
  [{ UPSTREAM_MAX_RETRIES: '1' }, 'UPSTREAM_MAX_RETRIES is set but UPSTREAM_BASE_URL is not'],
])('%o is refused in one line', (env, message) => {
  expect(() => loadConfig(env)).toThrow(new ConfigError(message));
});

test('the plugin gives the app an upstream from the settings, none without them', async () => {
  upstream = await startScriptedUpstream([{ text: ['Hi'] }]);
  app = await buildTestApp({
    UPSTREAM_BASE_URL: upstream.url,
    UPSTREAM_API_KEY: KEY,
    UPSTREAM_MODEL_MAP: 'gpt-4o=llama3.1:8b',
  });
  expect(app.app.hasPlugin('upstream')).toBe(true);
  const client = app.app.upstream!;
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of client.stream({
    model: client.model('gpt-4o'),
    messages: [{ role: 'user', content: 'Hi' }],
  }))
    chunks.push(chunk);
  expect(chunks.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(['', 'Hi', undefined, undefined]);
  expect(upstream.requests[0]?.body.model).toBe('llama3.1:8b');
  expect(upstream.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  await app.close();
  app = await buildTestApp();
  expect(app.app.hasPlugin('upstream')).toBe(true);
  expect(app.app.upstream).toBeUndefined();
});

test("the key and the URL's credentials are in no error message and no log line", async () => {
  let log = '';
  const logStream = new PassThrough();
  logStream.on('data', (piece) => (log += piece.toString()));
  upstream = await startScriptedUpstream([
    { status: 400, body: { error: { message: `Incorrect API key provided: ${KEY}; user hunter2-user` } } },
    { status: 401, body: { error: { message: `Incorrect API key provided: sk-ups***6789` } } },
    { status: 500, body: `internal error for ${encodeURIComponent('p@ss w0rd')} and p@ss w0rd` },
  ]);
  const base = upstream.url.replace('http://', `http://hunter2-user:${encodeURIComponent('p@ss w0rd')}@`);
  const env = { UPSTREAM_BASE_URL: base, UPSTREAM_API_KEY: KEY, UPSTREAM_MAX_RETRIES: '0', LOG_LEVEL: 'trace' };
  app = await buildTestApp(env, { logStream });
  const messages: string[] = [];
  for (let turn = 0; turn < 3; turn++) {
    try {
      for await (const _ of app.app.upstream!.stream({ model: 'm', messages: [] }));
    } catch (error) {
      messages.push((error as Error).message);
      // As a run executor logs a failed turn.
      app.app.log.error({ err: error, upstream: app.config.upstream }, 'upstream turn failed');
    }
  }
  app.app.log.info({ config: app.config }, 'config');
  expect(messages).toEqual([
    'The upstream answered 400: Incorrect API key provided: [redacted]; user [redacted]',
    "The upstream refused threadstore's credentials (401): check UPSTREAM_API_KEY.",
    'The upstream answered 500: internal error for [redacted] and [redacted]',
  ]);
  // The credentials did reach the upstream, as Basic auth is overridden by the bearer key.
  expect(upstream.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  expect(log).toContain('upstream turn failed');
  for (const secret of [KEY, 'hunter2-user', 'p@ss w0rd', encodeURIComponent('p@ss w0rd'), 'sk-ups***6789']) {
    expect(log).not.toContain(secret);
  }
});
