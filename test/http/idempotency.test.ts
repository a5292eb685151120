import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { PURGE_BATCH } from '../../src/store/engine/idempotency-records.js';
import { expectError } from '../helpers/api.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { queryDatabase } from '../helpers/sql.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  vi.useRealTimers();
  await t.close();
});

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

  test('records past the window are purged, a batch at a time, and the others kept', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 86_401_000);
    for (let i = 0; i < 2 * PURGE_BATCH + 3; i++) await createThread(t.app, `expired-${i}`, {});
    vi.useRealTimers();
    await createThread(t.app, 'fresh', {});

    const batches: number[] = [];
    do batches.push(await t.app.store.purgeExpiredIdempotencyKeys());
    while (batches[batches.length - 1] === PURGE_BATCH);
    expect(batches).toEqual([PURGE_BATCH, PURGE_BATCH, 3]);
    const kept = await queryDatabase<{ key: string }>(t.engine, t.databaseUrl, 'SELECT key FROM idempotency_keys');
    expect(kept).toEqual([{ key: 'fresh' }]);
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

describe('Idempotency-Key records of deleted objects', () => {
  /** What the records still hold: their keys, and how much of a response each kept. */
  const records = async () =>
    (
      await queryDatabase<{ key: string; kept: number }>(
        t.engine,
        t.databaseUrl,
        'SELECT key, coalesce(length(response), 0) AS kept FROM idempotency_keys',
      )
    ).sort((a, b) => a.key.localeCompare(b.key));

  const sendMessage = (threadId: string, key: string, text: string) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/threads/${threadId}/messages`,
      headers: { 'idempotency-key': key },
      payload: { role: 'user', content: text },
    });

  test('a replay after the message was deleted is its 404, creates nothing, and the record keeps no content', async () => {
    const thread = (await createThread(t.app, undefined, {})).json();
    const message = (await sendMessage(thread.id, 'msg-key', 'secret words')).json();
    await t.app.inject({ method: 'DELETE', url: `/v1/threads/${thread.id}/messages/${message.id}` });

    const replay = await sendMessage(thread.id, 'msg-key', 'secret words');
    expectError(replay, 404, { message: `No message found with id '${message.id}'.`, param: null, code: null });
    const list = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}/messages` });
    expect(list.json().data).toEqual([]);
    expect(await records()).toEqual([{ key: 'msg-key', kept: 0 }]);
    expect((await sendMessage(thread.id, 'msg-key', 'other words')).statusCode).toBe(409);
  });

  test("a replay after the thread was deleted is the thread's 404, for the thread's create and its messages'", async () => {
    const thread = (await createThread(t.app, 'thread-key', { metadata: { a: '1' } })).json();
    await sendMessage(thread.id, 'msg-key', 'secret words');
    await t.app.inject({ method: 'DELETE', url: `/v1/threads/${thread.id}` });

    const notFound = { message: `No thread found with id '${thread.id}'.`, param: null, code: null };
    expectError(await createThread(t.app, 'thread-key', { metadata: { a: '1' } }), 404, notFound);
    expectError(await sendMessage(thread.id, 'msg-key', 'secret words'), 404, notFound);
    expect(await threadCount(t.app)).toBe(0);
    expect(await records()).toEqual([{ key: 'thread-key', kept: 0 }]);
  });

  test("another object's record is left alone", async () => {
    const kept = (await createThread(t.app, 'kept-thread', {})).json();
    const gone = (await createThread(t.app, 'gone-thread', {})).json();
    const message = (await sendMessage(kept.id, 'kept-msg', 'hello')).json();
    await t.app.inject({ method: 'DELETE', url: `/v1/threads/${gone.id}` });
    expect((await createThread(t.app, 'kept-thread', {})).json()).toEqual(kept);
    expect((await sendMessage(kept.id, 'kept-msg', 'hello')).json()).toEqual(message);
  });
});
