import { readFileSync } from 'node:fs';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { renderItemSchemas } from '../scripts/write-item-schemas.mjs';
import { ApiError } from '../src/errors.js';
import {
  ANSWER_SCHEMA_OF_TYPE,
  DEFINITIONS,
  REQUEST_SCHEMA_OF_TYPE,
} from '../src/schemas/conversation-item-definitions.js';
import {
  NON_MESSAGE_ITEM_TYPES,
  completeNonMessageItem,
  itemIdPrefix,
  validateNonMessageItem,
} from '../src/schemas/conversation-items.js';
import type { ValidationResult } from '../src/validation.js';
import { ITEM_EXAMPLES } from './fixtures/conversation-item-examples.js';

const SPEC_TEXT = readFileSync(new URL('./fixtures/openai-conversations.openapi.yaml', import.meta.url), 'utf8');
const spec = parse(SPEC_TEXT) as { components: { schemas: Record<string, Record<string, unknown>> } };

/**
 * The one deviation (see docs/behaviour.md#conversation-items-other-than-messages): a required key a schema
 * never declares is not required.
 */
function withoutUndeclaredRequired(schemas: Record<string, Record<string, unknown>>) {
  const copy = structuredClone(schemas);
  for (const schema of Object.values(copy)) {
    const { properties, required } = schema as { properties?: object; required?: string[] };
    if (properties && required) schema.required = required.filter((key) => key in properties);
  }
  return copy;
}

// Draft 2019-09: the spec's CompoundFilter recurses through `$recursiveRef`.
const ajv = new Ajv2019({ allErrors: true, strict: false });
ajv.addSchema({ $id: 'openai', components: { schemas: withoutUndeclaredRequired(spec.components.schemas) } });
const answerValidator = (type: string): ValidateFunction =>
  ajv.getSchema(`openai#/components/schemas/${ANSWER_SCHEMA_OF_TYPE[type]}`)!;

const STORED_TYPES = Object.keys(ITEM_EXAMPLES);

function errorOf(result: ValidationResult) {
  expect(result).toHaveProperty('error');
  return (result as { error: ApiError }).error.toBody().error;
}

/** A stored item as the store holds it: an id of its type's prefix when it came without one. */
const stored = (item: Record<string, unknown>) => ({ id: `${itemIdPrefix(item.type as string)}abc`, ...item });

test('src/schemas/conversation-item-definitions.ts is what `npm run item-schemas` generates from the spec', () => {
  const committed = readFileSync(new URL('../src/schemas/conversation-item-definitions.ts', import.meta.url), 'utf8');
  expect(committed).toBe(renderItemSchemas(SPEC_TEXT));
});

test('the non-message types are every type of the spec item unions but message, and each stored one has an example', () => {
  expect([...NON_MESSAGE_ITEM_TYPES].sort()).toEqual(
    [...Object.keys(ANSWER_SCHEMA_OF_TYPE), 'item_reference', 'compaction_trigger'].sort(),
  );
  expect(NON_MESSAGE_ITEM_TYPES.has('message')).toBe(false);
  expect(STORED_TYPES.sort()).toEqual(Object.keys(ANSWER_SCHEMA_OF_TYPE).sort());
});

/** The generated request schema of a type, as the fault tests read it. */
const requestOf = (type: string) =>
  DEFINITIONS[REQUEST_SCHEMA_OF_TYPE[type]!] as {
    required: string[];
    properties: Record<string, Record<string, unknown>>;
  };

describe.each(STORED_TYPES)('%s', (type) => {
  const example = ITEM_EXAMPLES[type]!;

  test('a valid item is accepted as written and answered complete, by the spec answer schema', () => {
    const written = structuredClone(example);
    expect(validateNonMessageItem(written, 'items[0]')).toEqual({ value: example });
    const answer = completeNonMessageItem(stored(written));
    const validate = answerValidator(type);
    expect(validate(answer), JSON.stringify(validate.errors)).toBe(true);
    expect(written).toEqual(example);
  });

  test('a missing required field is missing_required_parameter on its path', () => {
    const { type: _type, ...withoutType } = example;
    expect(errorOf(validateNonMessageItem(withoutType, 'items[4]'))).toEqual({
      message: "Missing required parameter: 'items[4].type'.",
      type: 'invalid_request_error',
      param: 'items[4].type',
      code: 'missing_required_parameter',
    });
  });

  const request = requestOf(type);

  test.each(request.required.filter((key) => key !== 'type'))('without %s: missing_required_parameter', (key) => {
    const { [key]: _left, ...item } = example;
    expect(errorOf(validateNonMessageItem(item, 'items[1]'))).toEqual({
      message: `Missing required parameter: 'items[1].${key}'.`,
      type: 'invalid_request_error',
      param: `items[1].${key}`,
      code: 'missing_required_parameter',
    });
  });

  const stringFields = Object.keys(example).filter((key) => request.properties[key]?.type === 'string');
  test.each(stringFields)('%s as a number: invalid_type', (key) => {
    expect(errorOf(validateNonMessageItem({ ...example, [key]: 42 }, 'items[1]'))).toEqual({
      message: `Invalid type for 'items[1].${key}': expected a string, but got an integer instead.`,
      type: 'invalid_request_error',
      param: `items[1].${key}`,
      code: 'invalid_type',
    });
  });

  test('the id is its own: a stored item keeps it, and the prefix names the type', () => {
    expect(itemIdPrefix(type)).toMatch(/^[a-z]+_$/);
    expect(completeNonMessageItem(stored(example)).id).toBe(example.id ?? `${itemIdPrefix(type)}abc`);
  });
});

test.each(STORED_TYPES.filter((type) => 'status' in requestOf(type).properties))(
  '%s with an unknown status: invalid_value',
  (type) => {
    const error = errorOf(validateNonMessageItem({ ...ITEM_EXAMPLES[type], status: 'finished' }, 'items[1]'));
    expect(error).toMatchObject({ type: 'invalid_request_error', param: 'items[1].status', code: 'invalid_value' });
    expect(error.message).toMatch(/^Invalid value: 'finished'\. Supported values are: '[a-z_]+'.*'\.$/);
  },
);

test('every stored type has its own id prefix', () => {
  const prefixes = STORED_TYPES.map(itemIdPrefix);
  expect(new Set(prefixes).size).toBe(prefixes.length);
  expect(() => itemIdPrefix('item_reference')).toThrow();
});

const FAULTS: [string, unknown, { message: string; param: string; code: string }][] = [
  [
    'a function_call without call_id',
    { type: 'function_call', name: 'f', arguments: '{}' },
    {
      message: "Missing required parameter: 'items[3].call_id'.",
      param: 'items[3].call_id',
      code: 'missing_required_parameter',
    },
  ],
  [
    'a function_call whose arguments are an object',
    { type: 'function_call', call_id: 'c', name: 'f', arguments: { city: 'Paris' } },
    {
      message: "Invalid type for 'items[3].arguments': expected a string, but got an object instead.",
      param: 'items[3].arguments',
      code: 'invalid_type',
    },
  ],
  [
    'a function_call with an unknown status',
    { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}', status: 'done' },
    {
      message: "Invalid value: 'done'. Supported values are: 'in_progress', 'completed', and 'incomplete'.",
      param: 'items[3].status',
      code: 'invalid_value',
    },
  ],
  [
    'a function_call_output whose output is a number',
    { type: 'function_call_output', call_id: 'c', output: 42 },
    {
      message: "Invalid type for 'items[3].output': expected one of a string or an array, but got an integer instead.",
      param: 'items[3].output',
      code: 'invalid_type',
    },
  ],
  [
    'a function_call_output part of an unknown type',
    {
      type: 'function_call_output',
      call_id: 'c',
      output: [
        { type: 'input_text', text: 'a' },
        { type: 'output_text', text: 'b' },
      ],
    },
    {
      message: "Invalid value: 'output_text'. Supported values are: 'input_text', 'input_image', and 'input_file'.",
      param: 'items[3].output[1].type',
      code: 'invalid_value',
    },
  ],
  [
    'a function_call_output whose call_id is null (the request schema allows it, the answer schema does not)',
    { type: 'function_call_output', call_id: null, output: 'ok' },
    {
      message: "Invalid type for 'items[3].call_id': expected a string, but got null instead.",
      param: 'items[3].call_id',
      code: 'invalid_type',
    },
  ],
  [
    'a reasoning summary text that is not a string',
    {
      type: 'reasoning',
      summary: [
        { type: 'summary_text', text: 'a' },
        { type: 'summary_text', text: 7 },
      ],
    },
    {
      message: "Invalid type for 'items[3].summary[1].text': expected a string, but got an integer instead.",
      param: 'items[3].summary[1].text',
      code: 'invalid_type',
    },
  ],
  [
    'the last of 50,000 output parts with a text that is not a string',
    {
      type: 'function_call_output',
      call_id: 'c',
      output: [
        ...Array.from({ length: 49_999 }, (_, i) => ({ type: 'input_text', text: `part ${i}` })),
        { type: 'input_text', text: 7 },
      ],
    },
    {
      message: "Invalid type for 'items[3].output[49999].text': expected a string, but got an integer instead.",
      param: 'items[3].output[49999].text',
      code: 'invalid_type',
    },
  ],
  [
    'an output part without a type',
    { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_text', text: 'a' }, { text: 'b' }] },
    {
      message: "Missing required parameter: 'items[3].output[1].type'.",
      param: 'items[3].output[1].type',
      code: 'missing_required_parameter',
    },
  ],
  [
    'a reasoning item without summary',
    { type: 'reasoning', id: 'rs_1' },
    {
      message: "Missing required parameter: 'items[3].summary'.",
      param: 'items[3].summary',
      code: 'missing_required_parameter',
    },
  ],
  [
    'a computer_call action of an unknown type',
    { type: 'computer_call', call_id: 'c', pending_safety_checks: [], status: 'completed', action: { type: 'hover' } },
    {
      message:
        "Invalid value: 'hover'. Supported values are: 'click', 'double_click', 'drag', 'keypress', 'move', 'screenshot', 'scroll', 'type', and 'wait'.",
      param: 'items[3].action.type',
      code: 'invalid_value',
    },
  ],
  [
    'an unknown key in an object the spec closes (a file search filter)',
    {
      type: 'additional_tools',
      role: 'developer',
      tools: [
        { type: 'file_search', vector_store_ids: ['vs_1'], filters: { type: 'eq', key: 'a', value: 1, extra: true } },
      ],
    },
    {
      message: "Unknown parameter: 'items[3].tools[0].filters.extra'.",
      param: 'items[3].tools[0].filters.extra',
      code: 'unknown_parameter',
    },
  ],
  [
    'a function tool name outside its pattern',
    { type: 'function_call_output', call_id: 'c', output: 'ok', namespace: 'no spaces' },
    {
      message:
        "Invalid 'items[3].namespace': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
      param: 'items[3].namespace',
      code: 'invalid_value',
    },
  ],
  [
    'an item_reference without id',
    { type: 'item_reference' },
    { message: "Missing required parameter: 'items[3].id'.", param: 'items[3].id', code: 'missing_required_parameter' },
  ],
  [
    'an item_reference whose id is a number',
    { type: null, id: 5 },
    {
      message: "Invalid type for 'items[3].id': expected a string, but got an integer instead.",
      param: 'items[3].id',
      code: 'invalid_type',
    },
  ],
  [
    'an item that is not an object',
    'function_call',
    {
      message: "Invalid type for 'items[3]': expected an object, but got a string instead.",
      param: 'items[3]',
      code: 'invalid_type',
    },
  ],
  [
    'a type that is not a string',
    { type: ['function_call'] },
    {
      message: "Invalid type for 'items[3].type': expected a string, but got an array instead.",
      param: 'items[3].type',
      code: 'invalid_type',
    },
  ],
];

test.each(FAULTS)('%s is one 400 in the house style', (_name, item, expected) => {
  const result = validateNonMessageItem(item, 'items[3]');
  expect((result as { error: ApiError }).error.statusCode).toBe(400);
  expect(errorOf(result)).toEqual({ type: 'invalid_request_error', ...expected });
});

test('an unknown type is a 400 invalid_value on items[i].type that lists every type', () => {
  const error = errorOf(validateNonMessageItem({ type: 'function_cal', call_id: 'c' }, 'items[2]'));
  expect(error).toMatchObject({ type: 'invalid_request_error', param: 'items[2].type', code: 'invalid_value' });
  expect(error.message).toMatch(
    /^Invalid value: 'function_cal'\. Supported values are: 'message', 'additional_tools', /,
  );
  for (const type of NON_MESSAGE_ITEM_TYPES) expect(error.message).toContain(`'${type}'`);
});

describe('nesting', () => {
  /** A file search filter tree `levels` compound filters deep: two JSON levels each (object, array). */
  const filterTree = (levels: number) => {
    let filter: Record<string, unknown> = { type: 'eq', key: 'a', value: 1 };
    for (let i = 0; i < levels; i++) filter = { type: 'and', filters: [filter] };
    return {
      type: 'additional_tools',
      role: 'developer',
      tools: [{ type: 'file_search', vector_store_ids: ['vs_1'], filters: filter }],
    };
  };

  test('a recursive schema is followed as deep as an item may nest', () => {
    const item = filterTree(45);
    expect(validateNonMessageItem(item, 'items[0]')).toEqual({ value: item });
  });

  test('deeper than 100 levels is one 400, whatever the depth: no stack overflow', () => {
    for (const levels of [60, 100_000]) {
      expect(errorOf(validateNonMessageItem(filterTree(levels), 'items[1]'))).toEqual({
        message:
          "Invalid 'items[1]': nested too deeply. Expected at most 100 levels of objects and arrays, but got more.",
        type: 'invalid_request_error',
        param: 'items[1]',
        code: 'invalid_value',
      });
    }
  });
});

test('compaction_trigger is refused: a storage-only server cannot compact', () => {
  expect(errorOf(validateNonMessageItem({ type: 'compaction_trigger' }, 'items[0]'))).toEqual({
    message:
      "Invalid value: 'compaction_trigger'. This server stores conversations and runs no model, so it cannot compact one; store a 'compaction' item instead.",
    type: 'invalid_request_error',
    param: 'items[0].type',
    code: 'invalid_value',
  });
});

test('an item_reference is shape-checked and answered as written, with or without type', () => {
  for (const item of [
    { type: 'item_reference', id: 'msg_1' },
    { type: null, id: 'fc_1' },
  ]) {
    expect(validateNonMessageItem(structuredClone(item), 'items[0]')).toEqual({ value: item });
  }
});

test('unknown keys of objects the spec leaves open are kept as written', () => {
  const item = { ...ITEM_EXAMPLES.function_call!, vendor_extension: { a: [1, 2] } };
  expect(validateNonMessageItem(structuredClone(item), 'items[0]')).toEqual({ value: item });
});

describe('completion', () => {
  test('adds status "completed" where the answer requires one, and never changes the stored item', () => {
    const item = { type: 'function_call', id: 'fc_1', call_id: 'c', name: 'f', arguments: '{}' };
    const copy = structuredClone(item);
    expect(completeNonMessageItem(item)).toEqual({ ...item, status: 'completed' });
    expect(item).toEqual(copy);
  });

  test('keeps a status that was written', () => {
    const item = { type: 'function_call', id: 'fc_1', call_id: 'c', name: 'f', arguments: '{}', status: 'in_progress' };
    expect(completeNonMessageItem(item)).toBe(item);
  });

  test('fills a required nullable field with null, a null status with "completed", and execution with "client"', () => {
    expect(completeNonMessageItem({ type: 'tool_search_call', id: 'tsc_1', arguments: {}, status: null })).toEqual({
      type: 'tool_search_call',
      id: 'tsc_1',
      arguments: {},
      status: 'completed',
      call_id: null,
      execution: 'client',
    });
    expect(completeNonMessageItem({ type: 'shell_call_output', id: 'sho_1', call_id: 'c', output: [] })).toMatchObject({
      status: 'completed',
      max_output_length: null,
    });
  });

  test('leaves a type whose answer schema needs nothing more alone', () => {
    const item = stored(ITEM_EXAMPLES.reasoning!);
    expect(completeNonMessageItem(item)).toBe(item);
  });
});

describe('no input throws or answers anything but the item or one 400', () => {
  const check = (item: unknown) => {
    const result = validateNonMessageItem(item, 'items[0]');
    if ('error' in result) {
      expect(result.error).toBeInstanceOf(ApiError);
      expect(result.error.statusCode).toBe(400);
      expect(result.error.param === 'items[0]' || result.error.param?.startsWith('items[0].')).toBe(true);
    } else {
      expect(result.value).toBe(item);
    }
  };

  test('arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), check), { numRuns: 2000 });
  });

  test('arbitrary objects of a known type', () => {
    const typed = fc.record({
      type: fc.constantFrom(...NON_MESSAGE_ITEM_TYPES, null),
      rest: fc.dictionary(fc.string(), fc.jsonValue()),
    });
    fc.assert(
      fc.property(typed, ({ type, rest }) => check({ ...rest, type })),
      { numRuns: 2000 },
    );
  });

  test('examples with one field replaced by any JSON value, and what is accepted completes to the answer schema', () => {
    const mutated = fc
      .constantFrom(...STORED_TYPES)
      .chain((type) =>
        fc.tuple(
          fc.constant(type),
          fc.constantFrom(...Object.keys(ITEM_EXAMPLES[type]!).filter((k) => k !== 'type')),
          fc.jsonValue(),
        ),
      );
    fc.assert(
      fc.property(mutated, ([type, key, value]) => {
        const item = { ...structuredClone(ITEM_EXAMPLES[type]!), [key]: value };
        check(item);
        const result = validateNonMessageItem(item, 'items[0]');
        if ('value' in result && key !== 'id') {
          const validate = answerValidator(type);
          expect(validate(completeNonMessageItem(stored(item))), JSON.stringify(validate.errors)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
