import type { AssistantRecord } from './run-records.js';
import type {
  ItemRecord,
  ItemView,
  Metadata,
  NewItem,
  Page,
  PageQuery,
  ThreadRecord,
  ToolResources,
} from './records.js';
import type { RunStore } from './run-types.js';

export type {
  ItemJson,
  ItemRecord,
  ItemView,
  ItemViews,
  Metadata,
  NewItem,
  Page,
  PageQuery,
  ThreadRecord,
  ToolResources,
} from './records.js';

export interface NewThread {
  /** `conv_…` for a conversation created through the Conversations API; a new `thread_…` id otherwise. */
  id?: string;
  metadata: Metadata;
  tool_resources: ToolResources;
  items: NewItem[];
}

export interface ThreadChanges {
  metadata?: Metadata;
  tool_resources?: ToolResources;
}

/** An assistant's settings as stored, defaults applied: the object without its id, type and time. */
export type NewAssistant = Omit<AssistantRecord, 'id' | 'object' | 'created_at'>;

/** The settings a modify replaces; the others stay. */
export type AssistantChanges = Partial<NewAssistant>;

export interface StoredAssistant {
  tenant: string;
  assistant: AssistantRecord;
}

export interface ListQuery extends PageQuery {
  run_id?: string;
  view: ItemView;
}

export interface ThreadListQuery extends PageQuery {
  /** Only threads whose metadata holds every one of these pairs. */
  metadata?: Metadata;
}

export type ItemPage = Page<ItemRecord>;

/** An item's id and its answer in one view, as JSON text. */
export interface ItemJsonText {
  id: string;
  json: string;
}

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
  thread: ThreadRecord;
}

/**
 * Every query is scoped to a tenant: another tenant's thread or message reads as absent.
 * Asynchronous although SQLite answers synchronously, so a networked engine fits behind it.
 */
export interface Store {
  threads: {
    /** Throws `IdempotencyConflict` when the key was used with another request. */
    create(tenant: string, thread: NewThread, idempotency?: IdempotencyKey): Promise<ThreadRecord>;
    get(tenant: string, threadId: string): Promise<ThreadRecord | undefined>;
    update(tenant: string, threadId: string, changes: ThreadChanges): Promise<ThreadRecord | undefined>;
    delete(tenant: string, threadId: string): Promise<boolean>;
    /** Throws `UnknownThreadCursor` for a cursor that names no thread of the tenant. */
    list(tenant: string, query: ThreadListQuery): Promise<Page<ThreadRecord>>;
  };
  /** The tenant's assistants: settings a run reads when it is created. */
  assistants: {
    /** Throws `IdempotencyConflict` when the key was used with another request. */
    create(tenant: string, assistant: NewAssistant, idempotency?: IdempotencyKey): Promise<AssistantRecord>;
    get(tenant: string, assistantId: string): Promise<AssistantRecord | undefined>;
    update(tenant: string, assistantId: string, changes: AssistantChanges): Promise<AssistantRecord | undefined>;
    /** Deletes the assistant only: threads, messages and runs that name it stay. */
    delete(tenant: string, assistantId: string): Promise<boolean>;
    /** Throws `UnknownAssistantCursor` for a cursor that names no assistant of the tenant, live or deleted. */
    list(tenant: string, query: PageQuery): Promise<Page<AssistantRecord>>;
  };
  /**
   * A thread's history: its messages and, through the Conversations API, items of every type. Each call
   * throws `ThreadNotFound` when the thread is not the tenant's; `get` then answers `undefined` (and
   * `delete` false) when the item is not there, told apart by the one query that looked.
   */
  items: {
    /**
     * Writes the items after the thread's latest, atomically, in order. Throws `ItemIdTaken` when a supplied
     * id is used in the tenant, `IdempotencyConflict`. With `lockedByRun` (the Assistants API's messages),
     * throws `MessagesLockedByRun` when a run of the thread is unfinished, checked in the same transaction.
     */
    create(
      tenant: string,
      threadId: string,
      items: NewItem[],
      idempotency?: IdempotencyKey,
      options?: { lockedByRun?: boolean },
    ): Promise<ItemRecord[]>;
    get(tenant: string, threadId: string, itemId: string, view: ItemView): Promise<ItemRecord | undefined>;
    update(
      tenant: string,
      threadId: string,
      itemId: string,
      metadata: Metadata,
      view: ItemView,
    ): Promise<ItemRecord | undefined>;
    delete(tenant: string, threadId: string, itemId: string, view: ItemView): Promise<boolean>;
    /** Throws `UnknownCursor` for a cursor foreign to the thread. */
    list(tenant: string, threadId: string, query: ListQuery): Promise<ItemPage>;
    /** `get`'s item as its view answers it, JSON text (response-json.ts of the views); undefined when absent. */
    getJson(tenant: string, threadId: string, itemId: string, view: ItemView): Promise<string | undefined>;
    /** `list`'s page, each item as its view answers it, JSON text. */
    listJson(tenant: string, threadId: string, query: ListQuery): Promise<Page<ItemJsonText>>;
  };
  /** Runs of the Assistants API, their steps and the messages they write (src/store/run-types.ts). */
  runs: RunStore;
  /** Deletes up to PURGE_BATCH Idempotency-Key records past their window; how many it deleted. (Each store also runs this every minute.) */
  purgeExpiredIdempotencyKeys(): Promise<number>;
  /** How many threads, items and assistants are stored, across all tenants (the metrics gauges). */
  stats(): Promise<{ threads: number; messages: number; assistants: number }>;
  /** Moving data in and out whole: export, import and copy between engines. */
  transfer: {
    /** Every thread, or one tenant's, oldest first, read in batches. */
    threads(tenant?: string): AsyncIterable<StoredThread>;
    /** Writes a thread and its items with their ids and timestamps, atomically; false when the id exists. */
    importThread(tenant: string, thread: ThreadRecord, items: ItemRecord[]): Promise<boolean>;
    /** Every assistant, or one tenant's, oldest first. */
    assistants(tenant?: string): AsyncIterable<StoredAssistant>;
    /** Writes an assistant with its id and timestamp; false when the id exists. */
    importAssistant(tenant: string, assistant: AssistantRecord): Promise<boolean>;
  };
  /** Whether a store call now would be refused as busy (PostgreSQL's wait queue is full); SQLite never waits. */
  saturated?(): boolean;
  close(): Promise<void>;
}
