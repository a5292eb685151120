import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

const createThread = (app: TestApp['app'], key: string | undefined, payload: object) =>
  app.inject({
    method: 'POST',
    url: '/v1/threads',
    headers: key === undefined ? {} : { 'idempotency-key': key },
    payload,
  });

async function threadCount(app: TestApp['app']): Promise<number> {
  const res = await app.inject({ method: 'GET', url: '/v1/threads?limit=100' });
  return res.json().data.length;
}

describe('Idempotency-Key on creates', () => {
  test('the same key and body answer the first response and create nothing new', async () => {
    const first = await createThread(t.app, 'key-1', { metadata: { a: '1' } });
    const again = await createThread(t.app, 'key-1', { metadata: { a: '1' } });
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await threadCount(t.app)).toBe(1);
  });

  test('the same body with its keys in another order is the same request', async () => {
    const first = await createThread(t.app, 'key-order', { metadata: { a: '1', b: '2' }, tool_resources: {} });
    const again = await createThread(t.app, 'key-order', { tool_resources: {}, metadata: { b: '2', a: '1' } });
    expect(again.json().id).toBe(first.json().id);
  });

  test('the same key with another body is a 409 that tells the SDK not to retry', async () => {
    await createThread(t.app, 'key-2', { metadata: { a: '1' } });
    const other = await createThread(t.app, 'key-2', { metadata: { a: '2' } });
    expect(other.statusCode).toBe(409);
    expect(other.headers['x-should-retry']).toBe('false');
    expect(other.json()).toEqual({
      error: {
        message: 'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
        type: 'invalid_request_error',
        param: null,
        code: 'idempotency_key_reused',
      },
    });
    expect(await threadCount(t.app)).toBe(1);
  });

  test('creates without a key are never deduplicated', async () => {
    await createThread(t.app, undefined, {});
    await createThread(t.app, undefined, {});
    expect(await threadCount(t.app)).toBe(2);
  });

  test('message creates honour the key, and a key used on another route is a conflict', async () => {
    const thread = (await createThread(t.app, 'thread-key', {})).json();
    const send = (key: string, text: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/threads/${thread.id}/messages`,
        headers: { 'idempotency-key': key },
        payload: { role: 'user', content: text },
      });
    const first = await send('msg-key', 'hello');
    const again = await send('msg-key', 'hello');
    expect(again.json()).toEqual(first.json());
    const list = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}/messages` });
    expect(list.json().data).toHaveLength(1);
    expect((await send('thread-key', 'hello')).statusCode).toBe(409);
  });

  test('concurrent duplicates create one object', async () => {
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => createThread(t.app, 'burst', { metadata: { burst: 'yes' } })),
    );
    const ids = new Set(answers.map((res) => res.json().id));
    expect(answers.every((res) => res.statusCode === 200)).toBe(true);
    expect(ids.size).toBe(1);
    expect(await threadCount(t.app)).toBe(1);
  });

  test('keys survive a restart', async () => {
    const first = await createThread(t.app, 'durable', { metadata: { n: '1' } });
    await t.app.close();
    const reopened = await buildTestApp({}, { reopen: t });
    try {
      const again = await createThread(reopened.app, 'durable', { metadata: { n: '1' } });
      expect(again.json()).toEqual(first.json());
      expect(await threadCount(reopened.app)).toBe(1);
    } finally {
      await reopened.close();
    }
  });

  test('a key older than 24 hours no longer answers', async () => {
    const first = await createThread(t.app, 'old', {});
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 86_401_000);
    const later = await createThread(t.app, 'old', {}).finally(() => vi.useRealTimers());
    expect(later.json().id).not.toBe(first.json().id);
    expect(await threadCount(t.app)).toBe(2);
  });

  test('an overlong key is a 400', async () => {
    const res = await createThread(t.app, 'k'.repeat(256), {});
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      message:
        "Invalid 'idempotency-key': string too long. Expected a string with maximum length 255, but got a string with length 256 instead.",
      type: 'invalid_request_error',
      param: 'idempotency-key',
      code: 'string_above_max_length',
    });
  });
});
