import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createMessage, createThread, expectError, listPage, post } from '../../helpers/api.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { expectConformsTo } from '../../helpers/openapi-schemas.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

const THREAD_ID = /^thread_[0-9A-Za-z]{24}$/;
const MESSAGE_ID = /^msg_[0-9A-Za-z]{24}$/;

async function countRows(table: 'threads' | 'messages'): Promise<number> {
  return (await t.app.store.stats())[table];
}

describe('create', () => {
  test('defaults: exact shape', async () => {
    const before = Math.floor(Date.now() / 1000);
    const thread = await createThread(t.app);
    const after = Math.floor(Date.now() / 1000);
    expect(thread).toEqual({
      id: expect.stringMatching(THREAD_ID),
      object: 'thread',
      created_at: expect.any(Number),
      metadata: {},
      tool_resources: {},
    });
    expect(Number.isInteger(thread.created_at)).toBe(true);
    expect(thread.created_at).toBeGreaterThanOrEqual(before);
    expect(thread.created_at).toBeLessThanOrEqual(after);
  });

  test('ids are distinct', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await createThread(t.app)).id);
    expect(ids.size).toBe(20);
  });

  test('metadata null → {}, tool_resources null → {}', async () => {
    const thread = await createThread(t.app, { metadata: null, tool_resources: null });
    expect(thread.metadata).toEqual({});
    expect(thread.tool_resources).toEqual({});
  });

  test('tool_resources are stored and returned as given', async () => {
    for (const tool_resources of [
      { code_interpreter: { file_ids: Array.from({ length: 20 }, (_, i) => `file_${i}`) } },
      { file_search: { vector_store_ids: ['vs_1'] } },
      { code_interpreter: {}, file_search: { vector_store_ids: [] } },
      { code_interpreter: { file_ids: [] } },
    ]) {
      const thread = await createThread(t.app, { tool_resources });
      expect(thread.tool_resources).toEqual(tool_resources);
      const read = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}` });
      expect(read.json().tool_resources).toEqual(tool_resources);
    }
  });

  test('empty body with Content-Type application/json, and no body at all', async () => {
    for (const headers of [{ 'content-type': 'application/json' }, {}]) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/threads', headers, payload: '' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ object: 'thread', metadata: {}, tool_resources: {} });
    }
  });

  test('with messages: created in the given order, all at the thread creation time', async () => {
    const messages = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: [{ type: 'text', text: 'second' }], metadata: { n: '2' } },
      { role: 'user', content: 'third', attachments: [{ file_id: 'file_1', tools: [{ type: 'file_search' }] }] },
    ];
    const thread = await createThread(t.app, { messages });
    const page = await listPage(t.app, thread.id, { order: 'asc' });
    expect(page.data.map((m: any) => [m.role, m.content[0].text.value])).toEqual([
      ['user', 'first'],
      ['assistant', 'second'],
      ['user', 'third'],
    ]);
    for (const message of page.data as any[]) {
      expect(message.id).toMatch(MESSAGE_ID);
      expect(message.thread_id).toBe(thread.id);
      expect(message.created_at).toBe(thread.created_at);
      expectConformsTo('MessageObject', message);
    }
    expect((page.data[1] as any).metadata).toEqual({ n: '2' });
    expect((page.data[2] as any).attachments).toEqual(messages[2]!.attachments);
  });

  test('atomic: a bad messages[3] creates nothing', async () => {
    await createThread(t.app, { messages: [{ role: 'user', content: 'existing' }] });
    const messages = [0, 1, 2, 3, 4].map((i) => ({ role: 'user', content: `m${i}` }));
    (messages[3] as { content: unknown }).content = [];
    const res = await post(t.app, '/v1/threads', { messages });
    expectError(res, 400, {
      message:
        "Invalid 'messages[3].content': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: 'messages[3].content',
      code: 'empty_array',
    });
    expect(await countRows('threads')).toBe(1);
    expect(await countRows('messages')).toBe(1);
  });

  test('at most 32 messages: the 33rd is a 400 and creates nothing', async () => {
    const messages = Array.from({ length: 33 }, (_, i) => ({ role: 'user', content: `m${i}` }));
    expectError(await post(t.app, '/v1/threads', { messages }), 400, {
      message:
        "Invalid 'messages': array too long. Expected an array with maximum length 32, but got an array with length 33 instead.",
      param: 'messages',
      code: 'array_above_max_length',
    });
    expect(await countRows('threads')).toBe(0);
  });
});

describe('modify', () => {
  test('replaces metadata as a whole; {} and null clear it', async () => {
    const thread = await createThread(t.app, { metadata: { a: '1', b: '2' } });
    const url = `/v1/threads/${thread.id}`;
    const replaced = (await post(t.app, url, { metadata: { c: '3' } })).json();
    expect(replaced).toEqual({ ...thread, metadata: { c: '3' } });
    expect((await t.app.inject({ method: 'GET', url })).json()).toEqual(replaced);
    expect((await post(t.app, url, { metadata: {} })).json().metadata).toEqual({});
    await post(t.app, url, { metadata: { d: '4' } });
    expect((await post(t.app, url, { metadata: null })).json().metadata).toEqual({});
  });

  test('tool_resources replaced; null clears; metadata left alone', async () => {
    const thread = await createThread(t.app, {
      metadata: { keep: 'me' },
      tool_resources: { code_interpreter: { file_ids: ['file_1'] } },
    });
    const url = `/v1/threads/${thread.id}`;
    const tool_resources = { file_search: { vector_store_ids: ['vs_9'] } };
    expect((await post(t.app, url, { tool_resources })).json()).toEqual({ ...thread, tool_resources });
    expect((await post(t.app, url, { tool_resources: null })).json()).toEqual({ ...thread, tool_resources: {} });
  });

  test('an empty body changes nothing', async () => {
    const thread = await createThread(t.app, {
      metadata: { a: '1' },
      tool_resources: { code_interpreter: { file_ids: ['file_1'] } },
    });
    const url = `/v1/threads/${thread.id}`;
    for (const payload of ['', '{}']) {
      const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
      expect(res.json()).toEqual(thread);
    }
    expect((await t.app.inject({ method: 'GET', url })).json()).toEqual(thread);
  });
});

describe('delete', () => {
  test('answers the deleted object, then the thread is gone', async () => {
    const thread = await createThread(t.app);
    const url = `/v1/threads/${thread.id}`;
    const res = await t.app.inject({ method: 'DELETE', url });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: thread.id, object: 'thread.deleted', deleted: true });
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url })).statusCode).toBe(404);
  });

  test('cascades to its messages', async () => {
    const thread = await createThread(t.app, { messages: [{ role: 'user', content: 'a' }] });
    const message = await createMessage(t.app, thread.id);
    const other = await createThread(t.app, { messages: [{ role: 'user', content: 'other' }] });
    await t.app.inject({ method: 'DELETE', url: `/v1/threads/${thread.id}` });
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}/messages/${message.id}` })).statusCode,
    ).toBe(404);
    // The thread reads 404 at once; its messages are purged in the background, soon after.
    await vi.waitFor(async () => expect(await countRows('messages')).toBe(1), { timeout: 5000 });
    expect((await listPage(t.app, other.id)).data).toHaveLength(1);
  });

  test('with Content-Type application/json and an empty body (the Python SDK)', async () => {
    const thread = await createThread(t.app);
    const message = await createMessage(t.app, thread.id);
    const headers = { 'content-type': 'application/json' };
    const deletedMessage = await t.app.inject({
      method: 'DELETE',
      url: `/v1/threads/${thread.id}/messages/${message.id}`,
      headers,
      payload: '',
    });
    expect(deletedMessage.json()).toEqual({ id: message.id, object: 'thread.message.deleted', deleted: true });
    const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/threads/${thread.id}`, headers, payload: '' });
    expect(deleted.json()).toEqual({ id: thread.id, object: 'thread.deleted', deleted: true });
  });

  test('GET with Content-Type application/json and no body (openai-node v4)', async () => {
    const thread = await createThread(t.app);
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/threads/${thread.id}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.json()).toEqual(thread);
    const list = await t.app.inject({
      method: 'GET',
      url: `/v1/threads/${thread.id}/messages`,
      headers: { 'content-type': 'application/json' },
    });
    expect(list.statusCode).toBe(200);
  });
});

describe('paths', () => {
  test('every route answers with and without /v1', async () => {
    const thread = (await post(t.app, '/threads', {})).json();
    expect(thread.id).toMatch(THREAD_ID);
    for (const prefix of ['', '/v1']) {
      expect((await t.app.inject({ method: 'GET', url: `${prefix}/threads/${thread.id}` })).json()).toMatchObject({
        id: thread.id,
      });
      const message = (
        await post(t.app, `${prefix}/threads/${thread.id}/messages`, { role: 'user', content: 'x' })
      ).json();
      const url = `${prefix}/threads/${thread.id}/messages/${message.id}`;
      expect((await t.app.inject({ method: 'GET', url })).json()).toEqual(message);
      expect((await post(t.app, url, { metadata: { p: prefix } })).json().metadata).toEqual({ p: prefix });
      expect(
        (await t.app.inject({ method: 'GET', url: `${prefix}/threads/${thread.id}/messages` })).json().data[0].id,
      ).toBe(message.id);
      expect((await t.app.inject({ method: 'DELETE', url })).json().deleted).toBe(true);
      expect((await post(t.app, `${prefix}/threads/${thread.id}`, { metadata: { p: prefix } })).statusCode).toBe(200);
    }
    expect((await t.app.inject({ method: 'DELETE', url: `/threads/${thread.id}` })).json().deleted).toBe(true);
  });

  test('percent-encoded ids are decoded', async () => {
    const thread = await createThread(t.app);
    const message = await createMessage(t.app, thread.id);
    const encode = (id: string) => id.replace(/_/g, '%5F').replace(/^t/, '%74').replace(/^m/, '%6D');
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/threads/${encode(thread.id)}/messages/${encode(message.id)}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual(message);
    expect((await t.app.inject({ method: 'GET', url: `/v1/threads/${encode(thread.id)}` })).json()).toEqual(thread);
  });
});
