import { afterEach, beforeEach, expect, test } from 'vitest';
import { createMessage, createThread, listPage } from '../helpers/api.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { expectConformsTo, responseComponentOf, validatorFor } from '../helpers/openapi-schemas.js';

/** Every success body of the 9 operations, checked against OpenAI's own component schemas. */

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

const richMessage = {
  role: 'user',
  content: [
    { type: 'text', text: 'look at these' },
    { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
    { type: 'image_url', image_url: { url: 'http://example.com/dog.png', detail: 'low' } },
    { type: 'image_file', image_file: { file_id: 'file_abc' } },
    { type: 'image_file', image_file: { file_id: 'file_def', detail: 'high' } },
  ],
  attachments: [{ file_id: 'file_xyz', tools: [{ type: 'code_interpreter' }, { type: 'file_search' }] }],
  metadata: { source: 'test' },
};

test('the checker itself rejects a wrong shape', () => {
  expect(validatorFor('ThreadObject')({ id: 'thread_x', object: 'thread', created_at: 'now', metadata: {} })).toBe(
    false,
  );
  expect(validatorFor('MessageObject')({})).toBe(false);
});

test('all 9 operations answer bodies valid against the spec', async () => {
  const check = async (operationId: string, res: { statusCode: number; body: string; json(): unknown }) => {
    expect(res.statusCode, `${operationId}: ${res.body}`).toBe(200);
    expectConformsTo(responseComponentOf(operationId), res.json());
  };
  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, ...(payload ? { payload } : {}) });

  const created = await inject('POST', '/v1/threads', {
    messages: [richMessage, { role: 'assistant', content: 'hi' }],
    tool_resources: { code_interpreter: { file_ids: ['file_1'] }, file_search: { vector_store_ids: ['vs_1'] } },
    metadata: { a: 'b' },
  });
  await check('createThread', created);
  const threadId = (created.json() as { id: string }).id;
  await check('createThread', await inject('POST', '/v1/threads'));
  await check('getThread', await inject('GET', `/v1/threads/${threadId}`));
  await check('modifyThread', await inject('POST', `/v1/threads/${threadId}`, { metadata: { c: 'd' } }));

  const message = await inject('POST', `/v1/threads/${threadId}/messages`, richMessage);
  await check('createMessage', message);
  const messageId = (message.json() as { id: string }).id;
  await check(
    'createMessage',
    await inject('POST', `/v1/threads/${threadId}/messages`, { role: 'assistant', content: 'plain' }),
  );
  await check('getMessage', await inject('GET', `/v1/threads/${threadId}/messages/${messageId}`));
  await check(
    'modifyMessage',
    await inject('POST', `/v1/threads/${threadId}/messages/${messageId}`, { metadata: null }),
  );
  await check('listMessages', await inject('GET', `/v1/threads/${threadId}/messages`));
  await check('listMessages', await inject('GET', `/v1/threads/${threadId}/messages?order=asc&limit=1`));
  await check('deleteMessage', await inject('DELETE', `/v1/threads/${threadId}/messages/${messageId}`));
  await check('deleteThread', await inject('DELETE', `/v1/threads/${threadId}`));
});

test('an empty page conforms, with first_id and last_id null (the documented deviation)', async () => {
  const thread = await createThread(t.app);
  const page = await listPage(t.app, thread.id);
  expect(page).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
  expectConformsTo('ListMessagesResponse', page);
});

test('a thread with no tool_resources and a message with no extras conform', async () => {
  const thread = await createThread(t.app, { tool_resources: null, metadata: null });
  expectConformsTo('ThreadObject', thread);
  expectConformsTo('MessageObject', await createMessage(t.app, thread.id, { attachments: null, metadata: null }));
});
