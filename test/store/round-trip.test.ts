// What goes in comes back, on both engines: PostgreSQL's text and jsonb reject U+0000, and lone surrogates
// are not valid UTF-8, so these are the values an engine is most likely to lose.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';

const AWKWARD = [
  'nul \u0000 inside',
  '\u0000',
  'lone high \ud800 and low \udc00',
  'emoji 👋 and \u2028 separators',
  'quote " back \\ slash',
];

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, payload: payload as object });
const get = (url: string) => t.app.inject({ method: 'GET', url });

describe('text with NUL characters and lone surrogates round-trips', () => {
  test('through the store', async () => {
    const metadata = Object.fromEntries(AWKWARD.map((text, index) => [`k${index}\u0000${text.slice(0, 8)}`, text]));
    const content = AWKWARD.map((value) => ({ type: 'text' as const, text: { value, annotations: [] } }));
    const attachments = [{ file_id: 'file\u0000\ud800', tools: [{ type: 'file_search' as const }] }];
    const toolResources = { code_interpreter: { file_ids: ['file\u0000x', 'file\udfff'] } };

    const thread = await t.app.store.threads.create('tenant\u2603', {
      metadata,
      tool_resources: toolResources,
      items: [{ type: 'message', role: 'user', item: null, content, status: 'completed', attachments, metadata }],
    });
    expect(await t.app.store.threads.get('tenant\u2603', thread.id)).toEqual({
      ...thread,
      metadata,
      tool_resources: toolResources,
    });

    const assistant = {
      type: 'message',
      role: 'assistant',
      item: null,
      content,
      status: 'completed' as const,
      attachments,
      metadata,
    };
    const [created] = (await t.app.store.items.create('tenant\u2603', thread.id, [assistant]))!;
    expect(created).toMatchObject({ content, attachments, metadata });
    const page = await t.app.store.items.list('tenant\u2603', thread.id, { limit: 10, order: 'asc', view: 'all' });
    expect(page!.data.map((message) => [message.content, message.attachments, message.metadata])).toEqual([
      [content, attachments, metadata],
      [content, attachments, metadata],
    ]);
    const changed = { 'new\u0000key': 'v\u0000\ud800' };
    expect((await t.app.store.items.update('tenant\u2603', thread.id, created!.id, changed, 'all'))!.metadata).toEqual(
      changed,
    );
    expect((await t.app.store.items.get('tenant\u2603', thread.id, created!.id, 'all'))!.metadata).toEqual(changed);
    expect((await t.app.store.threads.update('tenant\u2603', thread.id, { metadata: changed }))!.metadata).toEqual(
      changed,
    );
  });

  test('through the API', async () => {
    const text = 'before\u0000after \ud83d\udc4b lone \udc4b';
    const created = await post('/v1/threads', {
      metadata: { 'nul\u0000key': 'nul\u0000value' },
      messages: [{ role: 'user', content: text }],
    });
    expect(created.statusCode).toBe(200);
    const thread = created.json();
    expect(thread.metadata).toEqual({ 'nul\u0000key': 'nul\u0000value' });
    const list = await get(`/v1/threads/${thread.id}/messages`);
    expect(list.json().data[0].content).toEqual([{ type: 'text', text: { value: text, annotations: [] } }]);
  });
});

describe('ids and cursors holding a NUL name nothing', () => {
  test('a thread or message id with %00 is a 404, a cursor a 400, a run_id an empty page', async () => {
    const thread = (await post('/v1/threads', { messages: [{ role: 'user', content: 'x' }] })).json();
    expect((await get('/v1/threads/thread_%00')).json()).toEqual({
      error: {
        message: "No thread found with id 'thread_\u0000'.",
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    const missingMessage = await get(`/v1/threads/${thread.id}/messages/msg_%00`);
    expect(missingMessage.statusCode).toBe(404);
    expect(missingMessage.json().error.message).toBe("No message found with id 'msg_\u0000'.");
    const cursor = await get(`/v1/threads/${thread.id}/messages?after=msg_%00`);
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json()).toEqual({
      error: {
        message: "Invalid 'after': no message with id 'msg_\u0000' in this thread.",
        type: 'invalid_request_error',
        param: 'after',
        code: 'invalid_value',
      },
    });
    const filtered = await get(`/v1/threads/${thread.id}/messages?run_id=run_%00`);
    expect(filtered.json()).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
  });
});
