// The store's own types. The wire schemas (TypeBox) describe the same shapes for the API; the store
// imports none of them, and TypeScript checks that both agree where the routes hand one to the other.

export type Metadata = Record<string, string>;

/** A content part of a message, as the thread API answers it: each part holds only its own members. */
export interface ContentPart {
  type: string;
  text?: { value: string; annotations: Annotation[] };
  image_file?: { file_id: string; detail: string };
  image_url?: { url: string; detail: string };
  refusal?: string;
}

export interface Annotation {
  type: string;
  text: string;
  start_index: number;
  end_index: number;
  file_citation?: { file_id: string };
  file_path?: { file_id: string };
}

export type ItemStatus = 'in_progress' | 'incomplete' | 'completed';

export interface Attachment {
  file_id: string;
  tools: { type: string }[];
}

export interface ToolResources {
  code_interpreter?: { file_ids?: string[] };
  file_search?: { vector_store_ids?: string[] };
}

/** A thread as the store keeps it and the thread API answers it. */
export interface ThreadRecord {
  id: string;
  object: 'thread';
  created_at: number;
  tool_resources: ToolResources;
  metadata: Metadata;
}

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
  status: ItemStatus;
  incomplete_details: { reason: string } | null;
  completed_at: number | null;
  incomplete_at: number | null;
  assistant_id: string | null;
  run_id: string | null;
  attachments: Attachment[];
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
  status: ItemStatus;
  attachments: Attachment[];
  metadata: Metadata;
}

/** Which items a read sees: every item, or only those the thread view shows (user and assistant messages). */
export type ItemView = 'all' | 'thread';

/** An item's two answers as JSON text, as the views render them. */
export interface ItemJson {
  /** The thread API's message object; null for an item the thread view does not show. */
  thread: string | null;
  /** The Conversations API's item. */
  item: string;
}

/**
 * What the store asks of the views, handed to it when it opens (it never imports them): the answers it
 * stores (SQLite) or renders as it reads (PostgreSQL), and the id of a new item that brings none.
 */
export interface ItemViews {
  /** Both answers of an item of the thread `threadId`. */
  answers(record: ItemRecord, threadId: string): ItemJson;
  /** The answer of one view. */
  answer(record: ItemRecord, threadId: string, view: ItemView): string;
  /** A new id in the format of an item of this type. */
  newItemId(type: string): string;
}

/** A page of a list: which objects, in which order, after or before which id. */
export interface PageQuery {
  limit: number;
  order: 'asc' | 'desc';
  after?: string;
  before?: string;
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
}
