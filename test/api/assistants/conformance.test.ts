import { afterEach, beforeEach, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import {
  assistantsResponseComponentOf,
  assistantsValidatorFor,
  expectAssistantsConformsTo,
} from '../../helpers/assistants-schemas.js';

/** Every success body of the 5 assistants operations, checked against OpenAI's own component schemas. */

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, ...(payload ? { payload } : {}) });

async function check(operationId: string, res: { statusCode: number; body: string; json(): unknown }) {
  expect(res.statusCode, `${operationId}: ${res.body}`).toBe(200);
  expectAssistantsConformsTo(assistantsResponseComponentOf(operationId), res.json());
}

const RICH = {
  model: 'gpt-4o',
  name: 'Math Tutor',
  description: 'Answers maths',
  instructions: 'You are a personal math tutor.',
  reasoning_effort: 'high',
  tools: [
    { type: 'code_interpreter' },
    { type: 'file_search' },
    {
      type: 'file_search',
      file_search: { max_num_results: 50, ranking_options: { ranker: 'default_2024_08_21', score_threshold: 0 } },
    },
    { type: 'function', function: { name: 'f' } },
    {
      type: 'function',
      function: { name: 'g-2', description: 'd', parameters: { type: 'object', properties: {} }, strict: null },
    },
  ],
  tool_resources: { code_interpreter: { file_ids: [] }, file_search: { vector_store_ids: ['vs_1'] } },
  metadata: { a: 'b' },
  temperature: 0,
  top_p: 0.5,
  response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: false } },
};

test('the checker itself rejects a wrong shape', () => {
  expect(assistantsValidatorFor('AssistantObject')({ id: 'asst_x', object: 'assistant', created_at: 1 })).toBe(false);
  expect(
    assistantsValidatorFor('AssistantObject')({
      id: 'asst_x',
      object: 'assistant',
      created_at: 1,
      name: null,
      description: null,
      model: 'm',
      instructions: null,
      tools: [{ type: 'retrieval' }],
      metadata: {},
    }),
  ).toBe(false);
});

test('all 5 operations answer bodies valid against the spec', async () => {
  const created = await inject('POST', '/v1/assistants', RICH);
  await check('createAssistant', created);
  const id = (created.json() as { id: string }).id;
  await check('createAssistant', await inject('POST', '/v1/assistants', { model: 'm' }));
  await check('getAssistant', await inject('GET', `/v1/assistants/${id}`));
  for (const response_format of ['auto', { type: 'text' }, { type: 'json_object' }, null]) {
    await check('modifyAssistant', await inject('POST', `/v1/assistants/${id}`, { response_format }));
  }
  await check(
    'modifyAssistant',
    await inject('POST', `/v1/assistants/${id}`, { tools: [], metadata: null, name: null }),
  );
  await check('listAssistants', await inject('GET', '/v1/assistants'));
  await check('listAssistants', await inject('GET', '/v1/assistants?order=asc&limit=1'));
  await check('deleteAssistant', await inject('DELETE', `/v1/assistants/${id}`));
});

test('an empty list conforms, with first_id and last_id null (the documented deviation)', async () => {
  const page = (await inject('GET', '/v1/assistants')).json();
  expect(page).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
  expectAssistantsConformsTo('ListAssistantsResponse', page);
});

test('the rich create body sent above is one the spec allows', () => {
  expectAssistantsConformsTo('CreateAssistantRequest', RICH);
});
