// The mapping between a thread's messages and a conversation's items, pinned where it lives: the views.
import { describe, expect, test } from 'vitest';
import type { ItemRecord } from '../../src/store/records.js';
import { copyOf, fromInputItem, toItem } from '../../src/views/conversation-view.js';
import { fromCreateMessage, toMessage } from '../../src/views/thread-view.js';

/** A record as the store returns it for what `write` describes, written at time 100. */
function stored(write: ReturnType<typeof fromInputItem>, id = 'msg_x'): ItemRecord {
  return {
    ...write,
    id,
    created_at: 100,
    incomplete_details: null,
    completed_at: write.status === 'completed' ? 100 : null,
    incomplete_at: null,
    assistant_id: null,
    run_id: null,
  };
}

describe('conversation view', () => {
  test('completes message items to their answer schema', () => {
    expect(toItem(stored(fromInputItem({ role: 'assistant', content: 'Hi' })))).toEqual({
      id: 'msg_x',
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'Hi', annotations: [], logprobs: [] }],
    });
    expect(
      toItem(
        stored(
          fromInputItem({ role: 'developer', status: 'in_progress', content: [{ type: 'input_image', file_id: 'f' }] }),
        ),
      ),
    ).toEqual({
      id: 'msg_x',
      type: 'message',
      role: 'developer',
      status: 'in_progress',
      content: [{ type: 'input_image', file_id: 'f', detail: 'auto' }],
    });
  });

  test('shows thread messages as message items; thread annotations have no item form', () => {
    const record = stored(
      fromCreateMessage({
        role: 'assistant',
        content: [
          { type: 'text', text: 'a' },
          { type: 'image_file', image_file: { file_id: 'f' } },
        ],
      }),
    );
    record.content[0]!.text!.annotations = [
      { type: 'file_citation', text: 'x', start_index: 0, end_index: 1, file_citation: { file_id: 'f' } },
    ];
    expect(toItem(record)).toEqual({
      id: 'msg_x',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [
        { type: 'output_text', text: 'a', annotations: [], logprobs: [] },
        { type: 'input_image', file_id: 'f', detail: 'auto' },
      ],
    });
  });

  test('a copy keeps everything but the id', () => {
    const original = stored(fromInputItem({ type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }), 'fc_1');
    expect(copyOf(original)).toEqual({
      ...fromInputItem({ type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' }),
    });
  });
});

describe('thread view', () => {
  test('keeps the parts it can express, drops the rest, fills the thread-only fields', () => {
    const record = stored(
      fromInputItem({
        role: 'user',
        content: [
          { type: 'input_text', text: 't' },
          { type: 'input_file', file_id: 'doc' },
          { type: 'input_image', image_url: 'https://example.com/i.png', detail: 'original' },
        ],
      }),
    );
    expect(toMessage(record, 'conv_1')).toEqual({
      id: 'msg_x',
      object: 'thread.message',
      created_at: 100,
      thread_id: 'conv_1',
      status: 'completed',
      incomplete_details: null,
      completed_at: 100,
      incomplete_at: null,
      role: 'user',
      content: [
        { type: 'text', text: { value: 't', annotations: [] } },
        { type: 'image_url', image_url: { url: 'https://example.com/i.png', detail: 'high' } },
      ],
      assistant_id: null,
      run_id: null,
      attachments: [],
      metadata: {},
    });
    expect(
      toMessage(stored(fromInputItem({ role: 'user', content: [{ type: 'input_file', file_id: 'doc' }] })), 't')
        .content,
    ).toEqual([]);
  });
});
