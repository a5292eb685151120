import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { expectError, type ExpectedError } from '../../helpers/api.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

/** The error table of the assistants routes: each bad body, as create and as modify, with its whole envelope. */

let t: TestApp;
let assistantId: string;
beforeEach(async () => {
  t = await buildTestApp();
  assistantId = (await t.app.inject({ method: 'POST', url: '/v1/assistants', payload: { model: 'm' } })).json().id;
});
afterEach(async () => t.close());

const fn = (fields: object) => ({ tools: [{ type: 'function', function: { name: 'f', ...fields } }] });
const deep = (levels: number): object => (levels === 0 ? {} : { a: deep(levels - 1) });

/** A bad setting (sent with a valid model on create) and the error both create and modify answer. */
const ROWS: [string, object, ExpectedError][] = [
  [
    'unknown parameter',
    { file_ids: [] },
    { message: "Unknown parameter: 'file_ids'.", param: 'file_ids', code: 'unknown_parameter' },
  ],
  [
    'name too long',
    { name: 'n'.repeat(257) },
    {
      message:
        "Invalid 'name': string too long. Expected a string with maximum length 256, but got a string with length 257 instead.",
      param: 'name',
      code: 'string_above_max_length',
    },
  ],
  [
    'description too long',
    { description: 'd'.repeat(513) },
    {
      message:
        "Invalid 'description': string too long. Expected a string with maximum length 512, but got a string with length 513 instead.",
      param: 'description',
      code: 'string_above_max_length',
    },
  ],
  [
    'instructions too long',
    { instructions: 'i'.repeat(256001) },
    {
      message:
        "Invalid 'instructions': string too long. Expected a string with maximum length 256000, but got a string with length 256001 instead.",
      param: 'instructions',
      code: 'string_above_max_length',
    },
  ],
  [
    'name of the wrong type',
    { name: 5 },
    {
      message: "Invalid type for 'name': expected a string, but got an integer instead.",
      param: 'name',
      code: 'invalid_type',
    },
  ],
  [
    'more than 128 tools',
    { tools: Array.from({ length: 129 }, () => ({ type: 'code_interpreter' })) },
    {
      message:
        "Invalid 'tools': array too long. Expected an array with maximum length 128, but got an array with length 129 instead.",
      param: 'tools',
      code: 'array_above_max_length',
    },
  ],
  [
    'tools not an array',
    { tools: {} },
    {
      message: "Invalid type for 'tools': expected an array, but got an object instead.",
      param: 'tools',
      code: 'invalid_type',
    },
  ],
  [
    'an unknown tool type',
    { tools: [{ type: 'retrieval' }] },
    {
      message: "Invalid value: 'retrieval'. Supported values are: 'code_interpreter', 'file_search', and 'function'.",
      param: 'tools[0].type',
      code: 'invalid_value',
    },
  ],
  [
    'a tool without a type',
    { tools: [{}] },
    {
      message: "Missing required parameter: 'tools[0].type'.",
      param: 'tools[0].type',
      code: 'missing_required_parameter',
    },
  ],
  [
    'a function tool without its function',
    { tools: [{ type: 'function' }] },
    {
      message: "Missing required parameter: 'tools[0].function'.",
      param: 'tools[0].function',
      code: 'missing_required_parameter',
    },
  ],
  [
    'a function without a name',
    { tools: [{ type: 'function', function: {} }] },
    {
      message: "Missing required parameter: 'tools[0].function.name'.",
      param: 'tools[0].function.name',
      code: 'missing_required_parameter',
    },
  ],
  [
    'a function name with a space',
    fn({ name: 'get weather' }),
    {
      message:
        "Invalid 'tools[0].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
      param: 'tools[0].function.name',
      code: 'invalid_value',
    },
  ],
  [
    'a function name over 64 characters',
    fn({ name: 'f'.repeat(65) }),
    {
      message:
        "Invalid 'tools[0].function.name': string too long. Expected a string with maximum length 64, but got a string with length 65 instead.",
      param: 'tools[0].function.name',
      code: 'string_above_max_length',
    },
  ],
  [
    'parameters that are not an object',
    fn({ parameters: [] }),
    {
      message: "Invalid type for 'tools[0].function.parameters': expected an object, but got an array instead.",
      param: 'tools[0].function.parameters',
      code: 'invalid_type',
    },
  ],
  [
    'parameters nested past 100 levels',
    fn({ parameters: deep(101) }),
    {
      message:
        "Invalid 'tools[0].function.parameters': nested too deeply. Expected at most 100 levels of objects and arrays, but got more.",
      param: 'tools[0].function.parameters',
      code: 'invalid_value',
    },
  ],
  [
    'strict not a boolean',
    fn({ strict: 'yes' }),
    {
      message: "Invalid type for 'tools[0].function.strict': expected a boolean, but got a string instead.",
      param: 'tools[0].function.strict',
      code: 'invalid_type',
    },
  ],
  [
    'file_search max_num_results above 50',
    { tools: [{ type: 'file_search', file_search: { max_num_results: 51 } }] },
    {
      message:
        "Invalid 'tools[0].file_search.max_num_results': integer above maximum value. Expected a value <= 50, but got 51 instead.",
      param: 'tools[0].file_search.max_num_results',
      code: 'integer_above_max_value',
    },
  ],
  [
    'ranking options without a score threshold',
    { tools: [{ type: 'file_search', file_search: { ranking_options: { ranker: 'auto' } } }] },
    {
      message: "Missing required parameter: 'tools[0].file_search.ranking_options.score_threshold'.",
      param: 'tools[0].file_search.ranking_options.score_threshold',
      code: 'missing_required_parameter',
    },
  ],
  [
    'temperature above 2',
    { temperature: 2.5 },
    {
      message: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 2.5 instead.",
      param: 'temperature',
      code: 'decimal_above_max_value',
    },
  ],
  [
    'top_p below 0',
    { top_p: -0.1 },
    {
      message: "Invalid 'top_p': decimal below minimum value. Expected a value >= 0, but got -0.1 instead.",
      param: 'top_p',
      code: 'decimal_below_min_value',
    },
  ],
  [
    'temperature as a string',
    { temperature: '1' },
    {
      message: "Invalid type for 'temperature': expected a number, but got a string instead.",
      param: 'temperature',
      code: 'invalid_type',
    },
  ],
  [
    'a response format string other than auto',
    { response_format: 'json' },
    {
      message: "Invalid value: 'json'. Supported values are: 'auto'.",
      param: 'response_format',
      code: 'invalid_value',
    },
  ],
  [
    'a response format of an unknown type',
    { response_format: { type: 'xml' } },
    {
      message: "Invalid value: 'xml'. Supported values are: 'text', 'json_object', and 'json_schema'.",
      param: 'response_format.type',
      code: 'invalid_value',
    },
  ],
  [
    'a response format of the wrong type',
    { response_format: 3 },
    {
      message: "Invalid type for 'response_format': expected one of a string or an object, but got an integer instead.",
      param: 'response_format',
      code: 'invalid_type',
    },
  ],
  [
    'json_schema without its json_schema',
    { response_format: { type: 'json_schema' } },
    {
      message: "Missing required parameter: 'response_format.json_schema'.",
      param: 'response_format.json_schema',
      code: 'missing_required_parameter',
    },
  ],
  [
    'json_schema without a name',
    { response_format: { type: 'json_schema', json_schema: { schema: {} } } },
    {
      message: "Missing required parameter: 'response_format.json_schema.name'.",
      param: 'response_format.json_schema.name',
      code: 'missing_required_parameter',
    },
  ],
  [
    'a json schema nested past 100 levels',
    { response_format: { type: 'json_schema', json_schema: { name: 'n', schema: deep(101) } } },
    {
      message:
        "Invalid 'response_format.json_schema.schema': nested too deeply. Expected at most 100 levels of objects and arrays, but got more.",
      param: 'response_format.json_schema.schema',
      code: 'invalid_value',
    },
  ],
  [
    'an unknown reasoning effort',
    { reasoning_effort: 'extreme' },
    {
      message:
        "Invalid value: 'extreme'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', 'xhigh', and 'max'.",
      param: 'reasoning_effort',
      code: 'invalid_value',
    },
  ],
  [
    'more than 20 code interpreter files',
    { tool_resources: { code_interpreter: { file_ids: Array.from({ length: 21 }, (_, i) => `file_${i}`) } } },
    {
      message:
        "Invalid 'tool_resources.code_interpreter.file_ids': array too long. Expected an array with maximum length 20, but got an array with length 21 instead.",
      param: 'tool_resources.code_interpreter.file_ids',
      code: 'array_above_max_length',
    },
  ],
  [
    'vector stores to create (this server has no vector stores)',
    { tool_resources: { file_search: { vector_stores: [{ file_ids: [] }] } } },
    {
      message: "Unknown parameter: 'tool_resources.file_search.vector_stores'.",
      param: 'tool_resources.file_search.vector_stores',
      code: 'unknown_parameter',
    },
  ],
  [
    'seventeen metadata pairs',
    { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) },
    {
      message:
        "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead.",
      param: 'metadata',
      code: 'object_above_max_properties',
    },
  ],
  [
    'a metadata value over 512 characters',
    { metadata: { k: 'v'.repeat(513) } },
    {
      message:
        "Invalid 'metadata.k': string too long. Expected a string with maximum length 512, but got a string with length 513 instead.",
      param: 'metadata.k',
      code: 'string_above_max_length',
    },
  ],
  [
    'an empty model',
    { model: '' },
    {
      message:
        "Invalid 'model': string too short. Expected a string with minimum length 1, but got an empty string instead.",
      param: 'model',
      code: 'string_below_min_length',
    },
  ],
  [
    'a model of the wrong type',
    { model: null },
    {
      message: "Invalid type for 'model': expected a string, but got null instead.",
      param: 'model',
      code: 'invalid_type',
    },
  ],
];

describe.each(['create', 'modify'] as const)('%s', (operation) => {
  const send = (body: object) =>
    operation === 'create'
      ? t.app.inject({ method: 'POST', url: '/v1/assistants', payload: { model: 'm', ...body } })
      : t.app.inject({ method: 'POST', url: `/v1/assistants/${assistantId}`, payload: body });

  test.each(ROWS)('%s', async (_name, body, expected) => {
    expectError(await send(body), 400, expected);
  });

  test('a body that is not an object', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: operation === 'create' ? '/v1/assistants' : `/v1/assistants/${assistantId}`,
      payload: '[]',
      headers: { 'content-type': 'application/json' },
    });
    expectError(res, 400, {
      message: 'Invalid type for body: expected an object, but got an array instead.',
      param: null,
      code: 'invalid_type',
    });
  });
});

test('create without a model', async () => {
  expectError(await t.app.inject({ method: 'POST', url: '/v1/assistants', payload: { name: 'x' } }), 400, {
    message: "Missing required parameter: 'model'.",
    param: 'model',
    code: 'missing_required_parameter',
  });
});

test('nothing was stored by any refused request', async () => {
  for (const [, body] of ROWS)
    await t.app.inject({ method: 'POST', url: '/v1/assistants', payload: { model: 'm', ...body } });
  const list = (await t.app.inject({ method: 'GET', url: '/v1/assistants' })).json();
  expect(list.data.map((a: { id: string }) => a.id)).toEqual([assistantId]);
});
