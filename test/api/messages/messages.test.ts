import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createMessage, createThread, post } from '../../helpers/api.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
let threadId: string;
beforeEach(async () => {
  t = await buildTestApp();
  threadId = (await createThread(t.app)).id;
});
afterEach(async () => t.close());

const text = (value: string) => ({ type: 'text', text: { value, annotations: [] } });
const messageUrl = (id: string) => `/v1/threads/${threadId}/messages/${id}`;

describe('create', () => {
  test('all 14 fields, exactly, for a string content', async () => {
    const message = await createMessage(t.app, threadId, { role: 'user', content: 'Hello, world' });
    expect(Object.keys(message).sort()).toEqual(
      [
        'id',
        'object',
        'created_at',
        'thread_id',
        'status',
        'incomplete_details',
        'completed_at',
        'incomplete_at',
        'role',
        'content',
        'assistant_id',
        'run_id',
        'attachments',
        'metadata',
      ].sort(),
    );
    expect(message).toEqual({
      id: expect.stringMatching(/^msg_[0-9A-Za-z]{24}$/),
      object: 'thread.message',
      created_at: message.created_at,
      thread_id: threadId,
      status: 'completed',
      incomplete_details: null,
      completed_at: message.created_at,
      incomplete_at: null,
      role: 'user',
      content: [text('Hello, world')],
      assistant_id: null,
      run_id: null,
      attachments: [],
      metadata: {},
    });
    expect(Number.isInteger(message.created_at)).toBe(true);
  });

  test('role assistant', async () => {
    expect((await createMessage(t.app, threadId, { role: 'assistant', content: 'Hi' })).role).toBe('assistant');
  });

  test('parts: texts normalised, image detail filled in, order kept', async () => {
    const message = await createMessage(t.app, threadId, {
      content: [
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        { type: 'text', text: 'between' },
        { type: 'image_url', image_url: { url: 'http://example.com/b.png?x=1#f', detail: 'high' } },
        { type: 'image_file', image_file: { file_id: 'file_abc' } },
        { type: 'image_file', image_file: { file_id: 'file_def', detail: 'low' } },
      ],
    });
    expect(message.content).toEqual([
      { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'auto' } },
      text('between'),
      { type: 'image_url', image_url: { url: 'http://example.com/b.png?x=1#f', detail: 'high' } },
      { type: 'image_file', image_file: { file_id: 'file_abc', detail: 'auto' } },
      { type: 'image_file', image_file: { file_id: 'file_def', detail: 'low' } },
    ]);
    expect((await t.app.inject({ method: 'GET', url: messageUrl(message.id) })).json()).toEqual(message);
  });

  test('text is kept byte for byte (unicode, whitespace, JSON-looking text)', async () => {
    const value = '  línea 1\n\t"quoted" {"json": true} 😀 \u0000 end  ';
    const message = await createMessage(t.app, threadId, { content: value });
    expect(message.content).toEqual([text(value)]);
    expect((await t.app.inject({ method: 'GET', url: messageUrl(message.id) })).json().content).toEqual([text(value)]);
  });

  test('attachments null → [], metadata null → {}', async () => {
    const message = await createMessage(t.app, threadId, { attachments: null, metadata: null });
    expect(message.attachments).toEqual([]);
    expect(message.metadata).toEqual({});
  });

  test('attachments and metadata are stored as given', async () => {
    const attachments = [
      { file_id: 'file_1', tools: [{ type: 'code_interpreter' }] },
      { file_id: 'file_2', tools: [] },
      { file_id: 'file_3', tools: [{ type: 'file_search' }, { type: 'code_interpreter' }] },
    ];
    const metadata = { user: 'u_1', 'key with spaces': 'ünïcode value' };
    const message = await createMessage(t.app, threadId, { attachments, metadata });
    expect(message.attachments).toEqual(attachments);
    expect(message.metadata).toEqual(metadata);
    expect((await t.app.inject({ method: 'GET', url: messageUrl(message.id) })).json()).toEqual(message);
  });
});

describe('modify', () => {
  test('replaces metadata as a whole, touches nothing else', async () => {
    const message = await createMessage(t.app, threadId, { metadata: { a: '1', b: '2' } });
    const res = await post(t.app, messageUrl(message.id), { metadata: { c: '3' } });
    expect(res.json()).toEqual({ ...message, metadata: { c: '3' } });
    expect((await t.app.inject({ method: 'GET', url: messageUrl(message.id) })).json()).toEqual({
      ...message,
      metadata: { c: '3' },
    });
  });

  test('{} and null clear metadata', async () => {
    const message = await createMessage(t.app, threadId, { metadata: { a: '1' } });
    expect((await post(t.app, messageUrl(message.id), { metadata: {} })).json().metadata).toEqual({});
    await post(t.app, messageUrl(message.id), { metadata: { b: '2' } });
    expect((await post(t.app, messageUrl(message.id), { metadata: null })).json().metadata).toEqual({});
  });

  test('an empty body changes nothing', async () => {
    const message = await createMessage(t.app, threadId, { metadata: { a: '1' } });
    for (const payload of ['', '{}']) {
      const res = await t.app.inject({
        method: 'POST',
        url: messageUrl(message.id),
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.json()).toEqual(message);
    }
  });
});

describe('delete', () => {
  test('answers the deleted object; the message leaves the list and the others stay', async () => {
    const kept = await createMessage(t.app, threadId, { content: 'kept' });
    const gone = await createMessage(t.app, threadId, { content: 'gone' });
    const res = await t.app.inject({ method: 'DELETE', url: messageUrl(gone.id) });
    expect(res.json()).toEqual({ id: gone.id, object: 'thread.message.deleted', deleted: true });
    const list = (await t.app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages` })).json();
    expect(list.data).toEqual([kept]);
  });
});
