import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createMessage, createThread, expectError, listMessages, post } from '../helpers/api.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

/** Rows of the error table about ids: bad prefixes, absent objects, foreign cursors. */

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

const threadMissing = (id: string) => ({ message: `No thread found with id '${id}'.`, param: null, code: null });
const messageMissing = (id: string) => ({ message: `No message found with id '${id}'.`, param: null, code: null });

/** Every route that names a thread, with a body that is valid for it. */
function threadRoutes(threadId: string) {
  return [
    { method: 'GET', url: `/v1/threads/${threadId}` },
    { method: 'POST', url: `/v1/threads/${threadId}`, payload: { metadata: { a: 'b' } } },
    { method: 'DELETE', url: `/v1/threads/${threadId}` },
    { method: 'GET', url: `/v1/threads/${threadId}/messages` },
    { method: 'POST', url: `/v1/threads/${threadId}/messages`, payload: { role: 'user', content: 'hi' } },
  ] as const;
}

function messageRoutes(threadId: string, messageId: string) {
  const url = `/v1/threads/${threadId}/messages/${messageId}`;
  return [
    { method: 'GET', url },
    { method: 'POST', url, payload: { metadata: { a: 'b' } } },
    { method: 'DELETE', url },
  ] as const;
}

describe('absent threads', () => {
  test('a thread that never existed is 404 on every route', async () => {
    const id = 'thread_abc123';
    for (const route of [...threadRoutes(id), ...messageRoutes(id, 'msg_abc123')]) {
      expectError(await t.app.inject(route), 404, threadMissing(id));
    }
  });

  test('a deleted thread is 404 on every route', async () => {
    const thread = await createThread(t.app, { messages: [{ role: 'user', content: 'hi' }] });
    const message = (await listMessages(t.app, thread.id)).json().data[0];
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/threads/${thread.id}` })).statusCode).toBe(200);
    for (const route of [...threadRoutes(thread.id), ...messageRoutes(thread.id, message.id)]) {
      expectError(await t.app.inject(route), 404, threadMissing(thread.id));
    }
  });
});

describe('absent messages', () => {
  test('a message that never existed', async () => {
    const thread = await createThread(t.app);
    for (const route of messageRoutes(thread.id, 'msg_abc123')) {
      expectError(await t.app.inject(route), 404, messageMissing('msg_abc123'));
    }
  });

  test('a deleted message', async () => {
    const thread = await createThread(t.app);
    const message = await createMessage(t.app, thread.id);
    const url = `/v1/threads/${thread.id}/messages/${message.id}`;
    expect((await t.app.inject({ method: 'DELETE', url })).json()).toEqual({
      id: message.id,
      object: 'thread.message.deleted',
      deleted: true,
    });
    for (const route of messageRoutes(thread.id, message.id)) {
      expectError(await t.app.inject(route), 404, messageMissing(message.id));
    }
  });

  test("another thread's message", async () => {
    const owner = await createThread(t.app);
    const other = await createThread(t.app);
    const message = await createMessage(t.app, owner.id);
    for (const route of messageRoutes(other.id, message.id)) {
      expectError(await t.app.inject(route), 404, messageMissing(message.id));
    }
    // Still there in its own thread.
    const own = await t.app.inject({ method: 'GET', url: `/v1/threads/${owner.id}/messages/${message.id}` });
    expect(own.statusCode).toBe(200);
  });
});

describe('id prefixes', () => {
  test('thread_id not starting with thread', async () => {
    for (const route of [...threadRoutes('abc'), ...messageRoutes('abc', 'msg_abc123')]) {
      expectError(await t.app.inject(route), 400, {
        message: "Invalid 'thread_id': 'abc'. Expected an ID that begins with 'thread'.",
        param: 'thread_id',
        code: 'invalid_value',
      });
    }
  });

  test('message_id not starting with msg', async () => {
    const thread = await createThread(t.app);
    for (const route of messageRoutes(thread.id, 'abc')) {
      expectError(await t.app.inject(route), 400, {
        message: "Invalid 'message_id': 'abc'. Expected an ID that begins with 'msg'.",
        param: 'message_id',
        code: 'invalid_value',
      });
    }
  });

  test('a bad id prefix answers before existence', async () => {
    expectError(await t.app.inject({ method: 'GET', url: '/v1/threads/thread_nope/messages/run_1' }), 400, {
      message: "Invalid 'message_id': 'run_1'. Expected an ID that begins with 'msg'.",
      param: 'message_id',
      code: 'invalid_value',
    });
  });

  test('a percent-encoded bad id is answered decoded', async () => {
    expectError(await t.app.inject({ method: 'GET', url: '/v1/threads/a%20b' }), 400, {
      message: "Invalid 'thread_id': 'a b'. Expected an ID that begins with 'thread'.",
      param: 'thread_id',
      code: 'invalid_value',
    });
  });
});

describe('cursors', () => {
  test.each(['after', 'before'] as const)('%s naming no message of the thread', async (param) => {
    const thread = await createThread(t.app);
    await createMessage(t.app, thread.id);
    const elsewhere = await createMessage(t.app, (await createThread(t.app)).id);
    for (const id of ['msg_nope', elsewhere.id, 'thread_x', 'x']) {
      expectError(await listMessages(t.app, thread.id, { [param]: id }), 400, {
        message: `Invalid '${param}': no message with id '${id}' in this thread.`,
        param,
        code: 'invalid_value',
      });
    }
  });

  test('a missing thread answers 404 before its cursor is looked at', async () => {
    expectError(await listMessages(t.app, 'thread_nope', { after: 'msg_nope' }), 404, threadMissing('thread_nope'));
  });
});

test('validation answers before existence', async () => {
  expectError(await post(t.app, '/v1/threads/thread_nope/messages', { content: 'hi' }), 400, {
    message: "Missing required parameter: 'role'.",
    param: 'role',
    code: 'missing_required_parameter',
  });
});
