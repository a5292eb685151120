import type { ContentPart, MessageObject } from '../schemas/messages.js';
import type { ThreadObject, ToolResources } from '../schemas/threads.js';

export type Metadata = Record<string, string>;

/** A message as the store writes it: content already in its response form. */
export interface NewMessage {
  role: 'user' | 'assistant';
  content: ContentPart[];
  attachments: MessageObject['attachments'];
  metadata: Metadata;
}

export interface NewThread {
  metadata: Metadata;
  tool_resources: ToolResources;
  messages: NewMessage[];
}

export interface ThreadChanges {
  metadata?: Metadata;
  tool_resources?: ToolResources;
}

export interface PageQuery {
  limit: number;
  order: 'asc' | 'desc';
  after?: string;
  before?: string;
}

export interface ListQuery extends PageQuery {
  run_id?: string;
}

export interface ThreadListQuery extends PageQuery {
  /** Only threads whose metadata holds every one of these pairs. */
  metadata?: Metadata;
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
}

export type MessagePage = Page<MessageObject>;

/**
 * A create sent with an `Idempotency-Key`: the first response is recorded with the object, in the same
 * transaction, and answered again for the same key and fingerprint; another fingerprint is a conflict.
 * Deleting the object neuters its record: a replay is then the object's 404 (`deletedObject`).
 */
export interface IdempotencyKey {
  key: string;
  /** A hash of the request (method, path and body). */
  fingerprint: string;
}

export interface StoredThread {
  tenant: string;
  thread: ThreadObject;
}

/**
 * Every query is scoped to a tenant: another tenant's thread or message reads as absent.
 * Asynchronous although SQLite answers synchronously, so a networked engine fits behind it.
 */
export interface Store {
  threads: {
    /** Throws `idempotencyConflict` when the key was used with another request. */
    create(tenant: string, thread: NewThread, idempotency?: IdempotencyKey): Promise<ThreadObject>;
    get(tenant: string, threadId: string): Promise<ThreadObject | undefined>;
    update(tenant: string, threadId: string, changes: ThreadChanges): Promise<ThreadObject | undefined>;
    delete(tenant: string, threadId: string): Promise<boolean>;
    /** Throws `unknownCursor` for a cursor that names no thread of the tenant. */
    list(tenant: string, query: ThreadListQuery): Promise<Page<ThreadObject>>;
  };
  messages: {
    /** `undefined` when the thread does not exist. */
    create(
      tenant: string,
      threadId: string,
      message: NewMessage,
      idempotency?: IdempotencyKey,
    ): Promise<MessageObject | undefined>;
    get(tenant: string, threadId: string, messageId: string): Promise<MessageObject | undefined>;
    update(tenant: string, threadId: string, messageId: string, metadata: Metadata): Promise<MessageObject | undefined>;
    delete(tenant: string, threadId: string, messageId: string): Promise<boolean>;
    /** `undefined` when the thread does not exist; throws `unknownCursor` for a cursor foreign to the thread. */
    list(tenant: string, threadId: string, query: ListQuery): Promise<MessagePage | undefined>;
  };
  /** Deletes up to PURGE_BATCH Idempotency-Key records past their window; how many it deleted. (Each store also runs this every minute.) */
  purgeExpiredIdempotencyKeys(): Promise<number>;
  /** How many threads and messages are stored, across all tenants (the metrics gauges). */
  stats(): Promise<{ threads: number; messages: number }>;
  /** Moving data in and out whole: export, import and copy between engines. */
  transfer: {
    /** Every thread, or one tenant's, oldest first, read in batches. */
    threads(tenant?: string): AsyncIterable<StoredThread>;
    /** Writes a thread and its messages with their ids and timestamps, atomically; false when the id exists. */
    importThread(tenant: string, thread: ThreadObject, messages: MessageObject[]): Promise<boolean>;
  };
  close(): Promise<void>;
}
