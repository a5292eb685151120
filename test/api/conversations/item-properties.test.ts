import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectError } from '../../helpers/api.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { ITEM_EXAMPLES } from '../../fixtures/conversation-item-examples.js';

/*
 * Issue 19, finding 5: every item type refuses a property its request schema does not name (as messages
 * do, and as the hosted API does), and every stored item's id has the message id's length limit: 1 to 255.
 */

let t: TestApp;
let url: string;
beforeAll(async () => {
  t = await buildTestApp();
  const conversation = (await t.app.inject({ method: 'POST', url: '/v1/conversations', payload: {} })).json();
  url = `/v1/conversations/${conversation.id}/items`;
});
afterAll(() => t.close());

const create = (item: Record<string, unknown>) => t.app.inject({ method: 'POST', url, payload: { items: [item] } });
const { id: _id, ...functionCall } = ITEM_EXAMPLES.function_call!;

describe('unknown properties', () => {
  const message = { type: 'message', role: 'user', content: 'hi' };
  const types: [string, Record<string, unknown>][] = [['message', message], ...Object.entries(ITEM_EXAMPLES)];
  test.each(types)('a %s item with one is refused', async (_type, example) => {
    const { id: _exampleId, ...item } = example;
    expectError(await create({ ...item, surprise: true }), 400, {
      message: "Unknown parameter: 'items[0].surprise'.",
      param: 'items[0].surprise',
      code: 'unknown_parameter',
    });
  });

  test('nor is one taken on a new conversation', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/conversations',
      payload: { items: [{ ...functionCall, extra: 'x' }] },
    });
    expectError(res, 400, {
      message: "Unknown parameter: 'items[0].extra'.",
      param: 'items[0].extra',
      code: 'unknown_parameter',
    });
  });
});

describe('item ids', () => {
  test.each([
    ['function_call', 256],
    ['function_call', 1_000_003],
    ['reasoning', 256],
  ])('a %s id of %i characters is refused', async (type, length) => {
    const { id: _exampleId, ...item } = ITEM_EXAMPLES[type]!;
    expectError(await create({ ...item, id: 'x'.repeat(length) }), 400, {
      message: `Invalid 'items[0].id': string too long. Expected a string with maximum length 255, but got a string with length ${length} instead.`,
      param: 'items[0].id',
      code: 'string_above_max_length',
    });
  });

  test('an empty id is refused', async () => {
    expectError(await create({ ...functionCall, id: '' }), 400, {
      message:
        "Invalid 'items[0].id': string too short. Expected a string with minimum length 1, but got an empty string instead.",
      param: 'items[0].id',
      code: 'string_below_min_length',
    });
  });

  test('an id of 255 characters is stored, read and deleted', async () => {
    const id = `fc_${'y'.repeat(252)}`;
    expect((await create({ ...functionCall, id })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `${url}/${id}` })).json()).toMatchObject({ id });
    expect((await t.app.inject({ method: 'DELETE', url: `${url}/${id}` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `${url}/${id}` })).statusCode).toBe(404);
  });
});
