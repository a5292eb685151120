import fastJson from 'fast-json-stringify';
import { describe, expect, it } from 'vitest';
import { ListMessagesResponse, MessageObject } from '../../../src/schemas/messages.js';
import { AssistantStreamEvent } from '../../../src/schemas/run-stream-events.js';
import { ThreadObject } from '../../../src/schemas/threads.js';
import { compileSerializer, forSerialization } from '../../../src/schemas/compile/serialization.js';

const message = (overrides: Record<string, unknown> = {}) => ({
  id: 'msg_abc',
  object: 'thread.message',
  created_at: 1_700_000_000,
  thread_id: 'thread_abc',
  status: 'completed',
  incomplete_details: null,
  completed_at: 1_700_000_000,
  incomplete_at: null,
  role: 'user',
  content: [
    { type: 'text', text: { value: 'Hello "quoted" \u2028 ünïcode', annotations: [] } },
    { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'auto' } },
    { type: 'image_file', image_file: { file_id: 'file_1', detail: 'high' } },
  ],
  assistant_id: null,
  run_id: null,
  attachments: [{ file_id: 'file_2', tools: [{ type: 'file_search' }] }],
  metadata: { key: 'value' },
  ...overrides,
});

const messages = [
  message(),
  message({ status: 'in_progress', completed_at: null, role: 'assistant', assistant_id: 'asst_1', run_id: 'run_1' }),
  message({
    status: 'incomplete',
    incomplete_details: { reason: 'max_tokens' },
    incomplete_at: 1_700_000_001,
    metadata: {},
  }),
];

const schemas = [
  { name: 'MessageObject', schema: MessageObject, values: messages },
  {
    name: 'ListMessagesResponse',
    schema: ListMessagesResponse,
    values: [
      { object: 'list', data: messages, first_id: 'msg_abc', last_id: 'msg_abc', has_more: true },
      { object: 'list', data: [], first_id: null, last_id: null, has_more: false },
    ],
  },
  {
    name: 'ThreadObject',
    schema: ThreadObject,
    values: [
      { id: 'thread_1', object: 'thread', created_at: 1, tool_resources: {}, metadata: {} },
      {
        id: 'thread_1',
        object: 'thread',
        created_at: 1,
        tool_resources: { code_interpreter: { file_ids: ['f'] } },
        metadata: { a: 'b' },
      },
    ],
  },
];

describe('response serialisation', () => {
  for (const { name, schema, values } of schemas) {
    it(`writes ${name} byte for byte as fast-json-stringify on the published schema does`, () => {
      const published = fastJson(schema as any);
      const fast = compileSerializer(schema as any);
      for (const value of values) {
        expect(fast(value)).toBe(published(value));
        expect(JSON.parse(fast(value))).toEqual(value);
      }
    });
  }

  it('leaves no union of constants or nullable single type in the serializer copy', () => {
    expect(JSON.stringify(forSerialization(MessageObject as any))).not.toContain('anyOf');
    expect(JSON.stringify(MessageObject)).toContain('anyOf');
  });

  it('compiles each schema once', () => {
    expect(compileSerializer(MessageObject as any)).toBe(compileSerializer(MessageObject as any));
  });

  it('compiles nothing for a text/event-stream answer: a stream is sent as it is', () => {
    const serialize = compileSerializer(AssistantStreamEvent as any, 'text/event-stream');
    expect(() => serialize({ event: 'done', data: '[DONE]' })).toThrow('never serialised');
  });
});
