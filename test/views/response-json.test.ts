// The stored answers (src/views/response-json.ts) are byte for byte what the routes' serializers wrote when
// every answer was built per request: the message object, the conversation item, and pages stitched of them.
import { describe, expect, test } from 'vitest';
import { ConversationItemList } from '../../src/schemas/conversations.js';
import { ListMessagesResponse, MessageObject } from '../../src/schemas/messages.js';
import { compileSerializer } from '../../src/schemas/compile/serialization.js';
import type { ItemRecord, NewItem } from '../../src/store/records.js';
import { toListResponse } from '../../src/routes/list-response.js';
import { fromInputItem, toItem } from '../../src/views/conversation-view.js';
import { itemJsonOf, jsonInView, listJson } from '../../src/views/response-json.js';
import { fromCreateMessage, toMessage } from '../../src/views/thread-view.js';

const THREAD = 'thread_abc';

function stored(write: NewItem, id: string): ItemRecord {
  return {
    ...write,
    id,
    created_at: 1_790_000_000,
    incomplete_details: null,
    completed_at: write.status === 'completed' ? 1_790_000_000 : null,
    incomplete_at: null,
    assistant_id: null,
    run_id: null,
  };
}

/** Items of every shape both APIs write: text that needs escaping, images, metadata, non-message items. */
const RECORDS: ItemRecord[] = [
  stored(fromCreateMessage({ role: 'user', content: 'Hello "quoted" \\ \u0000 \u2028 é 😀 \ud800' }), 'msg_1'),
  stored(
    fromCreateMessage({
      role: 'assistant',
      content: [
        { type: 'text', text: 'two' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        { type: 'image_file', image_file: { file_id: 'file_1', detail: 'low' } },
      ],
      attachments: [{ file_id: 'file_2', tools: [{ type: 'code_interpreter' }] }],
      metadata: { a: '1', 'key with space': 'v"' },
    }),
    'msg_2',
  ),
  {
    ...stored(fromCreateMessage({ role: 'user', content: 'imported' }), 'msg_3'),
    run_id: 'run_1',
    assistant_id: 'asst_1',
  },
  stored(fromInputItem({ role: 'assistant', content: [{ type: 'output_text', text: 'from items' }] }), 'msg_4'),
  stored(
    fromInputItem({ role: 'user', content: [{ type: 'input_image', image_url: 'https://e.com/i.png' }] }),
    'msg_5',
  ),
  stored(fromInputItem({ role: 'system', content: 'not in the thread view' }), 'msg_6'),
  stored(
    fromInputItem({ call_id: 'call_1', type: 'function_call', name: 'f', arguments: '{"x":1}', status: 'completed' }),
    'fc_1',
  ),
];
const inThreadView = RECORDS.filter((r) => r.type === 'message' && ['user', 'assistant'].includes(r.role));

const message = compileSerializer(MessageObject);
const messages = compileSerializer(ListMessagesResponse);
const items = compileSerializer(ConversationItemList);

describe('stored answers', () => {
  test.each(RECORDS.map((record) => [record.id, record] as const))(
    '%s: both views as the serializers write them',
    (_, record) => {
      const json = itemJsonOf(record, THREAD);
      const shown = inThreadView.includes(record);
      expect(json.thread).toBe(shown ? message(toMessage(record, THREAD)) : null);
      const list = items(toListResponse({ data: [toItem(record)], has_more: false }));
      expect(json.item).toBe(list.slice('{"object":"list","data":['.length, list.indexOf('],"first_id"')));
      expect(jsonInView(record, THREAD, 'all')).toBe(json.item);
      if (shown) expect(jsonInView(record, THREAD, 'thread')).toBe(json.thread);
    },
  );

  test.each([
    ['a full page with more', inThreadView, true],
    ['a last page', inThreadView.slice(0, 1), false],
    ['an empty page', [], false],
  ] as const)('%s: stitched as the list serializers write it, in both views', (_, page, hasMore) => {
    const thread = page.map((record) => ({ id: record.id, json: itemJsonOf(record, THREAD).thread! }));
    const expected = toListResponse({ data: page.map((record) => toMessage(record, THREAD)), has_more: hasMore });
    expect(listJson(thread, hasMore)).toBe(messages(expected));
    const all = page.map((record) => ({ id: record.id, json: itemJsonOf(record, THREAD).item }));
    expect(listJson(all, hasMore)).toBe(items(toListResponse({ data: page.map(toItem), has_more: hasMore })));
  });
});
