import type { ItemRecord, NewItem, Store } from '../../src/store/types.js';
import { newItemIdOf } from '../../src/views/conversation-view.js';

/** A user message as the store takes it: one text part, completed. */
export const userMessage = (text: string, metadata: Record<string, string> = {}): NewItem => ({
  type: 'message',
  role: 'user',
  item: null,
  content: [{ type: 'text', text: { value: text, annotations: [] } }],
  status: 'completed',
  attachments: [],
  metadata,
});

/** Writes one item at the end of a thread of the default tenant: its record, or undefined without the thread. */
export const createOne = async (store: Store, threadId: string, item: NewItem) =>
  (await store.items.create('', threadId, [item]))?.[0];

/**
 * An item as an import takes it, with a new id: a user message saying `text`, or else an item of `type` with
 * a function call's fields, which the thread view does not show.
 */
export const importedItem = (type: string, text = 'hello'): ItemRecord => ({
  id: newItemIdOf(type),
  created_at: 1_700_000_000,
  type,
  role: type === 'message' ? 'user' : '',
  item: type === 'message' ? null : { type, call_id: 'call_1', name: 'lookup', arguments: '{}', status: 'completed' },
  content: type === 'message' ? [{ type: 'text', text: { value: text, annotations: [] } }] : [],
  status: 'completed',
  incomplete_details: null,
  completed_at: 1_700_000_000,
  incomplete_at: null,
  assistant_id: null,
  run_id: null,
  attachments: [],
  metadata: {},
});
