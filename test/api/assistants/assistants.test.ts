import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { API_PREFIXES } from '../../../src/api-prefixes.js';
import { expectError } from '../../helpers/api.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

async function createAssistant(body: object = { model: 'gpt-4o' }) {
  const res = await call('POST', '/v1/assistants', body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const full = {
  model: 'gpt-4o',
  name: 'Math Tutor',
  description: 'Answers maths',
  instructions: 'You are a personal math tutor.',
  reasoning_effort: 'low',
  tools: [
    { type: 'code_interpreter' },
    {
      type: 'file_search',
      file_search: { max_num_results: 5, ranking_options: { ranker: 'auto', score_threshold: 0.5 } },
    },
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'The weather in a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        strict: true,
      },
    },
  ],
  tool_resources: { code_interpreter: { file_ids: ['file_1'] }, file_search: { vector_store_ids: ['vs_1'] } },
  metadata: { team: 'maths' },
  temperature: 0.2,
  top_p: 0.9,
  response_format: {
    type: 'json_schema',
    json_schema: { name: 'answer', schema: { type: 'object' }, strict: true, description: 'an answer' },
  },
};

describe('create, retrieve, modify, delete', () => {
  test('a bare create shows every key, unset settings as their defaults', async () => {
    const assistant = await createAssistant();
    expect(assistant).toEqual({
      id: expect.stringMatching(/^asst_[0-9A-Za-z]{24}$/),
      object: 'assistant',
      created_at: expect.any(Number),
      name: null,
      description: null,
      model: 'gpt-4o',
      instructions: null,
      tools: [],
      tool_resources: {},
      metadata: {},
      temperature: 1,
      top_p: 1,
      response_format: 'auto',
      reasoning_effort: null,
    });
    expect(Math.abs(assistant.created_at - Date.now() / 1000)).toBeLessThan(60);
  });

  test('every setting is stored as written, tools we cannot run included, and read back the same', async () => {
    const assistant = await createAssistant(full);
    const { model, ...settings } = full;
    expect(assistant).toEqual({
      id: assistant.id,
      object: 'assistant',
      created_at: assistant.created_at,
      model,
      ...settings,
    });
    expect(Object.keys(assistant)).toEqual([
      'id',
      'object',
      'created_at',
      'name',
      'description',
      'model',
      'instructions',
      'tools',
      'tool_resources',
      'metadata',
      'temperature',
      'top_p',
      'response_format',
      'reasoning_effort',
    ]);
    expect((await call('GET', `/v1/assistants/${assistant.id}`)).json()).toEqual(assistant);
  });

  test('null settings on create take their defaults', async () => {
    const assistant = await createAssistant({
      model: 'm',
      name: null,
      description: null,
      instructions: null,
      reasoning_effort: null,
      tool_resources: null,
      metadata: null,
      temperature: null,
      top_p: null,
      response_format: null,
    });
    expect(assistant).toMatchObject({
      name: null,
      description: null,
      instructions: null,
      reasoning_effort: null,
      tool_resources: {},
      metadata: {},
      temperature: 1,
      top_p: 1,
      response_format: 'auto',
    });
  });

  test('modify replaces the settings it names, keeps the others, and null resets one to its default', async () => {
    const assistant = await createAssistant(full);
    const res = await call('POST', `/v1/assistants/${assistant.id}`, {
      model: 'gpt-4o-mini',
      name: null,
      tools: [{ type: 'function', function: { name: 'f' } }],
      temperature: null,
      response_format: { type: 'text' },
      metadata: { team: 'physics' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const expected = {
      ...assistant,
      model: 'gpt-4o-mini',
      name: null,
      tools: [{ type: 'function', function: { name: 'f' } }],
      temperature: 1,
      response_format: { type: 'text' },
      metadata: { team: 'physics' },
    };
    expect(res.json()).toEqual(expected);
    expect((await call('GET', `/v1/assistants/${assistant.id}`)).json()).toEqual(expected);

    const emptied = await call('POST', `/v1/assistants/${assistant.id}`, {});
    expect(emptied.json()).toEqual(expected);
  });

  test('delete answers assistant.deleted, then the assistant is a 404 on every route', async () => {
    const { id } = await createAssistant();
    const res = await call('DELETE', `/v1/assistants/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id, object: 'assistant.deleted', deleted: true });
    const notFound = { message: `No assistant found with id '${id}'.`, param: null, code: null };
    expectError(await call('GET', `/v1/assistants/${id}`), 404, notFound);
    expectError(await call('POST', `/v1/assistants/${id}`, { name: 'x' }), 404, notFound);
    expectError(await call('DELETE', `/v1/assistants/${id}`), 404, notFound);
  });

  test('deleting an assistant leaves threads and messages that name it', async () => {
    const { id } = await createAssistant();
    const thread = (
      await call('POST', '/v1/threads', { messages: [{ role: 'user', content: 'hi' }], metadata: { assistant: id } })
    ).json();
    await call('DELETE', `/v1/assistants/${id}`);
    expect((await call('GET', `/v1/threads/${thread.id}`)).json()).toEqual(thread);
    expect((await call('GET', `/v1/threads/${thread.id}/messages`)).json().data).toHaveLength(1);
  });

  test('an id that never existed, and one with another prefix, are refused as the hosted API does', async () => {
    expectError(await call('GET', '/v1/assistants/asst_nope'), 404, {
      message: "No assistant found with id 'asst_nope'.",
      param: null,
      code: null,
    });
    expectError(await call('DELETE', '/v1/assistants/thread_abc'), 400, {
      message: "Invalid 'assistant_id': 'thread_abc'. Expected an ID that begins with 'asst'.",
      param: 'assistant_id',
      code: 'invalid_value',
    });
  });

  test('every API prefix serves the five operations, and OpenAI-Beta: assistants=v1 is refused', async () => {
    for (const prefix of API_PREFIXES) {
      const created = await call('POST', `${prefix}/assistants`, { model: 'm' });
      expect(created.statusCode, prefix).toBe(200);
      const { id } = created.json();
      expect((await call('GET', `${prefix}/assistants/${id}`)).statusCode).toBe(200);
      expect((await call('POST', `${prefix}/assistants/${id}`, { name: 'n' })).json().name).toBe('n');
      expect((await call('GET', `${prefix}/assistants`)).json().data[0].id).toBe(id);
      expect((await call('DELETE', `${prefix}/assistants/${id}`)).json().deleted).toBe(true);
    }
    expectError(await call('GET', '/v1/assistants', undefined, { 'openai-beta': 'assistants=v1' }), 400, {
      message:
        "The v1 Assistants API has been deprecated. Please try again by setting the header 'OpenAI-Beta: assistants=v2'.",
      param: null,
      code: 'invalid_beta',
    });
    expect((await call('GET', '/v1/assistants', undefined, { 'openai-beta': 'assistants=v2' })).statusCode).toBe(200);
  });
});

describe('list', () => {
  async function page(query: string) {
    const res = await call('GET', `/v1/assistants?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    return { ids: body.data.map((a: { id: string }) => a.id) as string[], body };
  }

  test('newest first by default, 20 a page, cursors both ways, first and last ids', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) ids.push((await createAssistant({ model: `m${i}` })).id);
    const newest = [...ids].reverse();

    const first = await page('');
    expect(first.ids).toEqual(newest.slice(0, 20));
    expect(first.body).toMatchObject({ object: 'list', first_id: newest[0], last_id: newest[19], has_more: true });
    expect((await page(`after=${newest[19]}`)).ids).toEqual(newest.slice(20));
    expect((await page(`after=${newest[19]}`)).body.has_more).toBe(false);
    expect((await page(`order=asc&limit=5`)).ids).toEqual(ids.slice(0, 5));
    expect((await page(`order=asc&limit=3&after=${ids[4]}`)).ids).toEqual(ids.slice(5, 8));
    expect((await page(`order=asc&limit=3&before=${ids[10]}`)).ids).toEqual(ids.slice(7, 10));
    expect((await page(`limit=2&before=${newest[5]}`)).ids).toEqual(newest.slice(3, 5));
    expect((await page(`order=asc&after=${ids[2]}&before=${ids[6]}`)).ids).toEqual(ids.slice(3, 6));
    expect((await page('limit=100')).ids).toEqual(newest);
  });

  test('an empty list has null ends; a deleted assistant still works as a cursor', async () => {
    expect((await page('')).body).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await createAssistant()).id);
    await call('DELETE', `/v1/assistants/${ids[1]}`);
    expect((await page(`order=asc&after=${ids[1]}`)).ids).toEqual(ids.slice(2));
    expect((await page(`order=asc`)).ids).toEqual([ids[0], ids[2], ids[3]]);
  });

  test('bad paging parameters are refused with the thread list errors', async () => {
    expectError(await call('GET', '/v1/assistants?limit=0'), 400, {
      message: "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got 0 instead.",
      param: 'limit',
      code: 'integer_below_min_value',
    });
    expectError(await call('GET', '/v1/assistants?limit=101'), 400, {
      message: "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 101 instead.",
      param: 'limit',
      code: 'integer_above_max_value',
    });
    expectError(await call('GET', '/v1/assistants?order=up'), 400, {
      message: "Invalid value: 'up'. Supported values are: 'asc' and 'desc'.",
      param: 'order',
      code: 'invalid_value',
    });
    for (const param of ['after', 'before'] as const) {
      expectError(await call('GET', `/v1/assistants?${param}=asst_unknown`), 400, {
        message: `Invalid '${param}': no assistant with id 'asst_unknown'.`,
        param,
        code: 'invalid_value',
      });
    }
    const thread = (await call('POST', '/v1/threads', {})).json();
    expectError(await call('GET', `/v1/assistants?after=${thread.id}`), 400, {
      message: `Invalid 'after': no assistant with id '${thread.id}'.`,
      param: 'after',
      code: 'invalid_value',
    });
  });

  test('the query parameters the SDKs may add (include[]) are ignored', async () => {
    const { id } = await createAssistant();
    expect((await page('include[]=x&limit=1')).ids).toEqual([id]);
  });
});

describe('Idempotency-Key on create', () => {
  const create = (key: string, body: object) => call('POST', '/v1/assistants', body, { 'idempotency-key': key });

  test('a retry answers the first assistant and creates nothing; another body with the key is a 409', async () => {
    const first = await create('k1', { model: 'm', name: 'a' });
    const again = await create('k1', { name: 'a', model: 'm' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect((await call('GET', '/v1/assistants')).json().data).toHaveLength(1);
    const other = await create('k1', { model: 'm', name: 'b' });
    expectError(other, 409, {
      message: 'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
      param: null,
      code: 'idempotency_key_reused',
    });
  });

  test('a key first used for a thread is a 409 for an assistant', async () => {
    expect((await call('POST', '/v1/threads', {}, { 'idempotency-key': 'shared' })).statusCode).toBe(200);
    expect((await create('shared', { model: 'm' })).statusCode).toBe(409);
  });

  test('a retry after the delete answers the 404 of the deleted assistant and creates nothing', async () => {
    const { id } = (await create('k2', { model: 'm' })).json();
    await call('DELETE', `/v1/assistants/${id}`);
    expectError(await create('k2', { model: 'm' }), 404, {
      message: `No assistant found with id '${id}'.`,
      param: null,
      code: null,
    });
    expect((await call('GET', '/v1/assistants')).json().data).toEqual([]);
  });
});
