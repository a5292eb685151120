import { afterAll, beforeAll, describe, test } from 'vitest';
import { expectError } from '../../helpers/api.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

/*
 * Issue 19, finding 9: a create replayed after what it made was deleted answers the 404 a read of it gets,
 * in the words of the API it was replayed through.
 */

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const send = (method: string, url: string, key?: string, payload?: object) =>
  t.app.inject({ method: method as 'POST', url, headers: key ? { 'idempotency-key': key } : {}, payload });
const notFound = (message: string) => ({ message, param: null, code: null });

describe('a replay after a delete', () => {
  test('of a conversation create names the conversation', async () => {
    const body = { metadata: { a: 'b' } };
    const conversation = (await send('POST', '/v1/conversations', 'conversation', body)).json();
    await send('DELETE', `/v1/conversations/${conversation.id}`);
    expectError(
      await send('POST', '/v1/conversations', 'conversation', body),
      404,
      notFound(`Conversation with id '${conversation.id}' not found.`),
    );
  });

  test('of an items create names the item, or the conversation', async () => {
    const conversation = (await send('POST', '/v1/conversations', undefined, {})).json();
    const url = `/v1/conversations/${conversation.id}/items`;
    const items = { items: [{ type: 'message', role: 'user', content: 'hi' }] };
    const [item] = (await send('POST', url, 'items', items)).json().data;
    await send('POST', url, 'none', { items: [] });
    await send('DELETE', `${url}/${item.id}`);
    expectError(await send('POST', url, 'items', items), 404, notFound(`Item with id '${item.id}' not found.`));
    await send('DELETE', `/v1/conversations/${conversation.id}`);
    const gone = notFound(`Conversation with id '${conversation.id}' not found.`);
    expectError(await send('POST', url, 'none', { items: [] }), 404, gone);
    expectError(await send('POST', url, 'items', items), 404, gone);
  });

  test('of a thread create still names the thread, in the thread API', async () => {
    const thread = (await send('POST', '/v1/threads', 'thread', {})).json();
    const message = { role: 'user', content: 'hi' };
    const created = (await send('POST', `/v1/threads/${thread.id}/messages`, 'message', message)).json();
    await send('DELETE', `/v1/threads/${thread.id}/messages/${created.id}`);
    expectError(
      await send('POST', `/v1/threads/${thread.id}/messages`, 'message', message),
      404,
      notFound(`No message found with id '${created.id}'.`),
    );
    await send('DELETE', `/v1/threads/${thread.id}`);
    expectError(
      await send('POST', '/v1/threads', 'thread', {}),
      404,
      notFound(`No thread found with id '${thread.id}'.`),
    );
  });
});
