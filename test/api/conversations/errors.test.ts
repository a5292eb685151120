// Every error of the Conversations contract with its whole envelope; tenancy and Idempotency-Key on its routes.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { expectError, post } from '../../helpers/api.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({ API_KEYS: 'acme:sk-acme-key-000000, other:sk-other-key-00000' });
});
afterEach(async () => t.close());

const ACME = { authorization: 'Bearer sk-acme-key-000000' };
const OTHER = { authorization: 'Bearer sk-other-key-00000' };

const send = (
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = ACME,
) => t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function conversation(items: unknown[] = [{ role: 'user', content: 'hi' }]) {
  const res = await send('POST', '/v1/conversations', { items });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { id: string };
}

const itemsOf = async (id: string) =>
  (await send('GET', `/v1/conversations/${id}/items?order=asc`)).json().data as { id: string }[];

/** Every route that names a conversation, with a valid body. */
const conversationRoutes = (id: string, itemId: string) =>
  [
    ['GET', `/v1/conversations/${id}`],
    ['POST', `/v1/conversations/${id}`, { metadata: { a: 'b' } }],
    ['DELETE', `/v1/conversations/${id}`],
    ['POST', `/v1/conversations/${id}/items`, { items: [{ role: 'user', content: 'x' }] }],
    ['GET', `/v1/conversations/${id}/items`],
    ['GET', `/v1/conversations/${id}/items/${itemId}`],
    ['DELETE', `/v1/conversations/${id}/items/${itemId}`],
  ] as const;

describe('absent objects', () => {
  test('a missing conversation is 404 on every operation that names one; a missing item on its 2', async () => {
    const missing = 'conv_0123456789abcdef0123456789abcdef0123456789abcdef';
    for (const [method, url, body] of conversationRoutes(missing, 'msg_x')) {
      expectError(await send(method, url, body), 404, {
        message: `Conversation with id '${missing}' not found.`,
        param: null,
        code: null,
      });
    }
    const { id } = await conversation();
    for (const [method, url] of conversationRoutes(id, 'msg_nothing').slice(5)) {
      expectError(await send(method, url), 404, {
        message: "Item with id 'msg_nothing' not found.",
        param: null,
        code: null,
      });
    }
  });

  test("another tenant's conversation and items are 404 on all 8 operations, and unchanged", async () => {
    const { id } = await conversation();
    const [item] = await itemsOf(id);
    for (const [method, url, body] of conversationRoutes(id, item!.id)) {
      expectError(await send(method, url, body, OTHER), 404, {
        message: `Conversation with id '${id}' not found.`,
        param: null,
        code: null,
      });
    }
    expect((await itemsOf(id)).map((i) => i.id)).toEqual([item!.id]);
    // Another tenant's ids are never consulted: the same item id is free there.
    const other = await send(
      'POST',
      '/v1/conversations',
      { items: [{ id: item!.id, role: 'user', content: 'mine' }] },
      OTHER,
    );
    expect(other.statusCode).toBe(200);
  });
});

describe('bad input', () => {
  test('a path id that begins with neither conv nor thread', async () => {
    for (const [method, url, body] of conversationRoutes('abc', 'msg_x')) {
      expectError(await send(method, url, body), 400, {
        message: "Invalid 'conversation_id': 'abc'. Expected an ID that begins with 'conv'.",
        param: 'conversation_id',
        code: 'invalid_value',
      });
    }
  });

  test('more than 20 items, on both creates', async () => {
    const items = Array.from({ length: 21 }, () => ({ role: 'user', content: 'x' }));
    const expected = {
      message:
        "Invalid 'items': array too long. Expected an array with maximum length 20, but got an array with length 21 instead.",
      param: 'items',
      code: 'array_above_max_length',
    };
    expectError(await send('POST', '/v1/conversations', { items }), 400, expected);
    const { id } = await conversation([]);
    expectError(await send('POST', `/v1/conversations/${id}/items`, { items }), 400, expected);
    expect(await itemsOf(id)).toEqual([]);
  });

  test('message items are checked field by field, with param paths', async () => {
    const { id } = await conversation([]);
    const url = `/v1/conversations/${id}/items`;
    expectError(
      await send('POST', url, {
        items: [
          { role: 'user', content: 'ok' },
          { role: 'tool', content: 'x' },
        ],
      }),
      400,
      {
        message: "Invalid value: 'tool'. Supported values are: 'user', 'assistant', 'system', and 'developer'.",
        param: 'items[1].role',
        code: 'invalid_value',
      },
    );
    expectError(
      await send('POST', url, { items: [{ role: 'user', content: [{ type: 'input_text', text: 1 }] }] }),
      400,
      {
        message: "Invalid type for 'items[0].content[0].text': expected a string, but got an integer instead.",
        param: 'items[0].content[0].text',
        code: 'invalid_type',
      },
    );
    expectError(await send('POST', url, { items: [{ role: 'user', content: 'x', colour: 'red' }] }), 400, {
      message: "Unknown parameter: 'items[0].colour'.",
      param: 'items[0].colour',
      code: 'unknown_parameter',
    });
    expectError(await send('POST', url, { items: [{ content: 'x' }] }), 400, {
      message: "Missing required parameter: 'items[0].role'.",
      param: 'items[0].role',
      code: 'missing_required_parameter',
    });
    const unknownType = await send('POST', url, { items: [{ type: 'telepathy' }] });
    expect(unknownType.statusCode).toBe(400);
    expect(unknownType.json().error).toMatchObject({ param: 'items[0].type', code: 'invalid_value' });
    // Atomic: nothing of a refused request was written.
    expect(await itemsOf(id)).toEqual([]);
  });

  test('a taken item id, an unknown item reference, a bad include value', async () => {
    const { id } = await conversation();
    const [item] = await itemsOf(id);
    const url = `/v1/conversations/${id}/items`;
    expectError(
      await send('POST', url, {
        items: [
          { role: 'user', content: 'a' },
          { id: item!.id, role: 'user', content: 'b' },
        ],
      }),
      400,
      {
        message: `Invalid 'items[1].id': '${item!.id}' is already used by another item.`,
        param: 'items[1].id',
        code: 'invalid_value',
      },
    );
    expectError(await send('POST', url, { items: [{ type: 'item_reference', id: 'msg_nowhere' }] }), 404, {
      message: "Item with id 'msg_nowhere' not found.",
      param: null,
      code: null,
    });
    expectError(await send('POST', '/v1/conversations', { items: [{ type: 'item_reference', id: item!.id }] }), 404, {
      message: `Item with id '${item!.id}' not found.`,
      param: null,
      code: null,
    });
    expectError(await send('GET', `${url}?include[]=message.output_text.logprobs&include[]=everything`), 400, {
      message:
        "Invalid value: 'everything'. Supported values are: 'file_search_call.results', 'web_search_call.results', 'web_search_call.action.sources', 'message.input_image.image_url', 'computer_call_output.output.image_url', 'code_interpreter_call.outputs', 'reasoning.encrypted_content', and 'message.output_text.logprobs'.",
      param: 'include[1]',
      code: 'invalid_value',
    });
    expect((await send('GET', `${url}?include=reasoning.encrypted_content`)).statusCode).toBe(200);
    expect((await itemsOf(id)).map((i) => i.id)).toEqual([item!.id]);
  });

  test('concurrent creates supplying one id: exactly one keeps it, the others are refused whole', async () => {
    const { id } = await conversation([]);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        send('POST', `/v1/conversations/${id}/items`, {
          items: [
            { role: 'user', content: `first ${i}` },
            { id: 'msg_chosenByTheClient000', role: 'user', content: `${i}` },
          ],
        }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400, 400, 400, 400, 400]);
    expect((await itemsOf(id)).map((i) => i.id)).toEqual([expect.stringMatching(/^msg_/), 'msg_chosenByTheClient000']);
  });

  test('update needs metadata; an unknown cursor answers as for messages', async () => {
    const { id } = await conversation();
    expectError(await send('POST', `/v1/conversations/${id}`, {}), 400, {
      message: "Missing required parameter: 'metadata'.",
      param: 'metadata',
      code: 'missing_required_parameter',
    });
    expectError(await send('GET', `/v1/conversations/${id}/items?after=msg_elsewhere`), 400, {
      message: "Invalid 'after': no message with id 'msg_elsewhere' in this thread.",
      param: 'after',
      code: 'invalid_value',
    });
  });

  test('OpenAI-Beta is ignored here, assistants=v1 included', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/conversations',
      headers: { ...ACME, 'openai-beta': 'assistants=v1' },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe('Idempotency-Key on both creates', () => {
  test('the same key and body answer the first response and write nothing new', async () => {
    const headers = { ...ACME, 'idempotency-key': 'create-once' };
    const body = { metadata: { a: 'b' }, items: [{ role: 'user', content: 'hi' }] };
    const first = await send('POST', '/v1/conversations', body, headers);
    const again = await send('POST', '/v1/conversations', body, headers);
    expect(again.json()).toEqual(first.json());
    const { id } = first.json();
    const itemHeaders = { ...ACME, 'idempotency-key': 'items-once' };
    const items = { items: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }] };
    const added = await post(t.app, `/v1/conversations/${id}/items`, items);
    expect(added.statusCode).toBe(401);
    const firstItems = await send('POST', `/v1/conversations/${id}/items`, items, itemHeaders);
    const againItems = await send('POST', `/v1/conversations/${id}/items`, items, itemHeaders);
    expect(againItems.json()).toEqual(firstItems.json());
    expect((await itemsOf(id)).length).toBe(2);
    const reused = await send('POST', `/v1/conversations/${id}/items`, { items: [] }, itemHeaders);
    expect(reused.statusCode).toBe(409);
  });
});
