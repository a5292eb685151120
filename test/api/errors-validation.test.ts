import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createThread, expectError, listMessages, post } from '../helpers/api.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

/** Rows of the contract's error table that come from validating a body or a query. */

let t: TestApp;
let threadId: string;
beforeEach(async () => {
  t = await buildTestApp();
  threadId = (await createThread(t.app)).id;
});
afterEach(async () => t.close());

const createMessage = (body: unknown) => post(t.app, `/v1/threads/${threadId}/messages`, body);

describe('enums', () => {
  test('role', async () => {
    expectError(await createMessage({ role: 'system', content: 'hi' }), 400, {
      message: "Invalid value: 'system'. Supported values are: 'user' and 'assistant'.",
      param: 'role',
      code: 'invalid_value',
    });
  });

  test('order', async () => {
    expectError(await listMessages(t.app, threadId, { order: 'sideways' as 'asc' }), 400, {
      message: "Invalid value: 'sideways'. Supported values are: 'asc' and 'desc'.",
      param: 'order',
      code: 'invalid_value',
    });
  });

  test('image detail', async () => {
    const content = [{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'ultra' } }];
    expectError(await createMessage({ role: 'user', content }), 400, {
      message: "Invalid value: 'ultra'. Supported values are: 'auto', 'low', and 'high'.",
      param: 'content[0].image_url.detail',
      code: 'invalid_value',
    });
  });

  test('attachment tool type', async () => {
    const attachments = [{ file_id: 'file_1', tools: [{ type: 'code_interpreter' }, { type: 'retrieval' }] }];
    expectError(await createMessage({ role: 'user', content: 'hi', attachments }), 400, {
      message: "Invalid value: 'retrieval'. Supported values are: 'code_interpreter' and 'file_search'.",
      param: 'attachments[0].tools[1].type',
      code: 'invalid_value',
    });
  });

  test('content part type', async () => {
    expectError(await createMessage({ role: 'user', content: [{ type: 'audio', audio: {} }] }), 400, {
      message: "Invalid value: 'audio'. Supported values are: 'image_file', 'image_url', and 'text'.",
      param: 'content[0].type',
      code: 'invalid_value',
    });
  });
});

describe('unknown and missing parameters', () => {
  test('unknown field at the top level', async () => {
    expectError(await post(t.app, '/v1/threads', { metadata: {}, file_ids: [] }), 400, {
      message: "Unknown parameter: 'file_ids'.",
      param: 'file_ids',
      code: 'unknown_parameter',
    });
  });

  test('unknown field at depth, with its path', async () => {
    const messages = [{ role: 'user', content: 'hi', file_ids: ['file_1'] }];
    expectError(await post(t.app, '/v1/threads', { messages }), 400, {
      message: "Unknown parameter: 'messages[0].file_ids'.",
      param: 'messages[0].file_ids',
      code: 'unknown_parameter',
    });
  });

  test('unknown field inside a content part', async () => {
    const content = [{ type: 'text', text: 'hi', annotations: [] }];
    expectError(await createMessage({ role: 'user', content }), 400, {
      message: "Unknown parameter: 'content[0].annotations'.",
      param: 'content[0].annotations',
      code: 'unknown_parameter',
    });
  });

  test('modify message accepts metadata only', async () => {
    const message = (await createMessage({ role: 'user', content: 'hi' })).json();
    const res = await post(t.app, `/v1/threads/${threadId}/messages/${message.id}`, { content: 'changed' });
    expectError(res, 400, { message: "Unknown parameter: 'content'.", param: 'content', code: 'unknown_parameter' });
  });

  test('missing required field', async () => {
    expectError(await createMessage({ content: 'hi' }), 400, {
      message: "Missing required parameter: 'role'.",
      param: 'role',
      code: 'missing_required_parameter',
    });
  });

  test('missing field of a nested message', async () => {
    const messages = [0, 1, 2].map((i) => ({ role: 'user', content: `m${i}` }));
    delete (messages[2] as { role?: string }).role;
    expectError(await post(t.app, '/v1/threads', { messages }), 400, {
      message: "Missing required parameter: 'messages[2].role'.",
      param: 'messages[2].role',
      code: 'missing_required_parameter',
    });
  });

  test('an unknown parameter answers before a missing one, whatever the key order', async () => {
    for (const body of [{ foo: 1 }, { foo: 1, content: 'hi' }, { content: 'hi', foo: 1 }]) {
      expectError(await createMessage(body), 400, {
        message: "Unknown parameter: 'foo'.",
        param: 'foo',
        code: 'unknown_parameter',
      });
    }
    // Also when the unknown one sits deeper than the missing one.
    const messages = [{ role: 'user' }, { role: 'user', content: 'hi', extra: true }];
    expectError(await post(t.app, '/v1/threads', { messages }), 400, {
      message: "Unknown parameter: 'messages[1].extra'.",
      param: 'messages[1].extra',
      code: 'unknown_parameter',
    });
  });

  test('an empty create-message body is a missing role', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/threads/${threadId}/messages`,
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expectError(res, 400, {
      message: "Missing required parameter: 'role'.",
      param: 'role',
      code: 'missing_required_parameter',
    });
  });
});

describe('types', () => {
  test('metadata value not a string', async () => {
    expectError(await post(t.app, '/v1/threads', { metadata: { k: 1 } }), 400, {
      message: "Invalid type for 'metadata.k': expected a string, but got an integer instead.",
      param: 'metadata.k',
      code: 'invalid_type',
    });
  });

  test('limit not an integer', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages?limit=abc` });
    expectError(res, 400, {
      message: "Invalid type for 'limit': expected an integer, but got a string instead.",
      param: 'limit',
      code: 'invalid_type',
    });
  });

  test('metadata not an object', async () => {
    expectError(await post(t.app, '/v1/threads', { metadata: ['a'] }), 400, {
      message: "Invalid type for 'metadata': expected an object, but got an array instead.",
      param: 'metadata',
      code: 'invalid_type',
    });
  });

  test('content neither a string nor an array', async () => {
    expectError(await createMessage({ role: 'user', content: 42 }), 400, {
      message: "Invalid type for 'content': expected one of a string or an array, but got an integer instead.",
      param: 'content',
      code: 'invalid_type',
    });
  });

  test.each([
    ['an array', '[1,2]'],
    ['a string', '"hello"'],
    ['null', 'null'],
    ['an integer', '7'],
    ['a boolean', 'true'],
  ])('body that is %s', async (word, payload) => {
    for (const url of ['/v1/threads', `/v1/threads/${threadId}/messages`, `/v1/threads/${threadId}`]) {
      const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
      expectError(res, 400, {
        message: `Invalid type for body: expected an object, but got ${word} instead.`,
        param: null,
        code: 'invalid_type',
      });
    }
  });
});

describe('lengths', () => {
  test('text part over 256,000 code points', async () => {
    const content = [{ type: 'text', text: 'a'.repeat(256_001) }];
    expectError(await createMessage({ role: 'user', content }), 400, {
      message:
        "Invalid 'content[0].text': string too long. Expected a string with maximum length 256000, but got a string with length 256001 instead.",
      param: 'content[0].text',
      code: 'string_above_max_length',
    });
  });

  test('string content over 256,000 code points', async () => {
    expectError(await createMessage({ role: 'user', content: 'é'.repeat(256_001) }), 400, {
      message:
        "Invalid 'content': string too long. Expected a string with maximum length 256000, but got a string with length 256001 instead.",
      param: 'content',
      code: 'string_above_max_length',
    });
  });

  test('256,000 astral-plane characters are accepted: lengths count code points', async () => {
    const text = '😀'.repeat(256_000);
    expect(text.length).toBe(512_000);
    const res = await createMessage({ role: 'user', content: [{ type: 'text', text }] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().content[0].text.value).toBe(text);

    const over = await createMessage({ role: 'user', content: `${text}😀` });
    expectError(over, 400, {
      message:
        "Invalid 'content': string too long. Expected a string with maximum length 256000, but got a string with length 256001 instead.",
      param: 'content',
      code: 'string_above_max_length',
    });
  });

  test('empty content string', async () => {
    expectError(await createMessage({ role: 'user', content: '' }), 400, {
      message:
        "Invalid 'content': string too short. Expected a string with minimum length 1, but got an empty string instead.",
      param: 'content',
      code: 'string_below_min_length',
    });
  });

  test('empty content array', async () => {
    expectError(await createMessage({ role: 'user', content: [] }), 400, {
      message:
        "Invalid 'content': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: 'content',
      code: 'empty_array',
    });
  });

  test('more than 16 metadata keys', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    expectError(await post(t.app, '/v1/threads', { metadata }), 400, {
      message:
        "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead.",
      param: 'metadata',
      code: 'object_above_max_properties',
    });
  });

  test('metadata key over 64 characters', async () => {
    const key = 'k'.repeat(65);
    expectError(await createMessage({ role: 'user', content: 'hi', metadata: { [key]: 'v' } }), 400, {
      message: `Invalid property name in 'metadata': '${key}' is too long. Expected a string with maximum length 64, but got a string with length 65 instead.`,
      param: `metadata.${key}`,
      code: 'property_name_above_max_length',
    });
  });

  test('metadata value over 512 characters', async () => {
    expectError(await post(t.app, `/v1/threads/${threadId}`, { metadata: { k: 'v'.repeat(513) } }), 400, {
      message:
        "Invalid 'metadata.k': string too long. Expected a string with maximum length 512, but got a string with length 513 instead.",
      param: 'metadata.k',
      code: 'string_above_max_length',
    });
  });

  test('metadata at its limits is accepted', async () => {
    const metadata = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [`${i}`.padEnd(64, 'k'), 'v'.repeat(512)]),
    );
    const res = await post(t.app, '/v1/threads', { metadata });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().metadata).toEqual(metadata);
  });

  test('code_interpreter.file_ids over 20', async () => {
    const file_ids = Array.from({ length: 21 }, (_, i) => `file_${i}`);
    expectError(await post(t.app, '/v1/threads', { tool_resources: { code_interpreter: { file_ids } } }), 400, {
      message:
        "Invalid 'tool_resources.code_interpreter.file_ids': array too long. Expected an array with maximum length 20, but got an array with length 21 instead.",
      param: 'tool_resources.code_interpreter.file_ids',
      code: 'array_above_max_length',
    });
  });

  test('file_search.vector_store_ids over 1', async () => {
    const tool_resources = { file_search: { vector_store_ids: ['vs_1', 'vs_2'] } };
    expectError(await post(t.app, `/v1/threads/${threadId}`, { tool_resources }), 400, {
      message:
        "Invalid 'tool_resources.file_search.vector_store_ids': array too long. Expected an array with maximum length 1, but got an array with length 2 instead.",
      param: 'tool_resources.file_search.vector_store_ids',
      code: 'array_above_max_length',
    });
  });

  test.each([
    [
      '0',
      "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got 0 instead.",
      'integer_below_min_value',
    ],
    [
      '101',
      "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 101 instead.",
      'integer_above_max_value',
    ],
  ])('limit=%s', async (limit, message, code) => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages?limit=${limit}` });
    expectError(res, 400, { message, param: 'limit', code });
  });
});

describe('image URLs', () => {
  test.each(['ftp://example.com/a.png', 'example.com/a.png', '/relative.png', 'not a url', 'https://'])(
    '%s is not an absolute http(s) URL',
    async (url) => {
      const content = [
        { type: 'text', text: 'look' },
        { type: 'image_url', image_url: { url } },
      ];
      expectError(await createMessage({ role: 'user', content }), 400, {
        message: "Invalid 'content[1].image_url.url': Expected a valid URL, but got a value with an invalid format.",
        param: 'content[1].image_url.url',
        code: 'invalid_value',
      });
    },
  );
});
