import type { NewItem, Store } from '../../src/store/types.js';

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
