import type { ContentPart, MessageObject } from '../schemas/messages.js';

export type Metadata = Record<string, string>;

/** An item as the Conversations API wrote it (completed to its answer schema), without its id. */
export type ItemBody = { type: string } & Record<string, unknown>;

/**
 * One entry of a thread's history, as the store keeps it, whichever API wrote it: a message of the
 * thread API, or an item of any type of the Conversations API. The views make wire objects of it.
 */
export interface ItemRecord {
  id: string;
  created_at: number;
  /** `message` for every message; another item type otherwise. */
  type: string;
  /** `user`, `assistant`, `system` or `developer` for messages; '' for other items. */
  role: string;
  /** The item as written through the Conversations API; null for a message written through the thread API. */
  item: ItemBody | null;
  // What only the thread view shows. `content` is the thread API's parts; [] when `item` holds the content.
  content: ContentPart[];
  status: MessageObject['status'];
  incomplete_details: MessageObject['incomplete_details'];
  completed_at: number | null;
  incomplete_at: number | null;
  assistant_id: string | null;
  run_id: string | null;
  attachments: MessageObject['attachments'];
  metadata: Metadata;
}

/** What a create writes: the store adds the position, the time and (unless supplied) the id. */
export interface NewItem {
  /** A client-supplied id, kept when no item of the tenant uses it. */
  id?: string;
  type: string;
  role: string;
  item: ItemBody | null;
  content: ContentPart[];
  /** `completed_at` is the write's time when `completed`, else null. */
  status: MessageObject['status'];
  attachments: MessageObject['attachments'];
  metadata: Metadata;
}

/** Which items a read sees: every item, or only those the thread view shows (user and assistant messages). */
export type ItemView = 'all' | 'thread';
