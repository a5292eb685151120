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

export interface ListQuery {
  limit: number;
  order: 'asc' | 'desc';
  after?: string;
  before?: string;
  run_id?: string;
}

export interface MessagePage {
  data: MessageObject[];
  has_more: boolean;
}

/**
 * Every query is scoped to a tenant: another tenant's thread or message reads as absent.
 * Asynchronous although SQLite answers synchronously, so a networked engine fits behind it.
 */
export interface Store {
  threads: {
    create(tenant: string, thread: NewThread): Promise<ThreadObject>;
    get(tenant: string, threadId: string): Promise<ThreadObject | undefined>;
    update(tenant: string, threadId: string, changes: ThreadChanges): Promise<ThreadObject | undefined>;
    delete(tenant: string, threadId: string): Promise<boolean>;
  };
  messages: {
    /** `undefined` when the thread does not exist. */
    create(tenant: string, threadId: string, message: NewMessage): Promise<MessageObject | undefined>;
    get(tenant: string, threadId: string, messageId: string): Promise<MessageObject | undefined>;
    update(tenant: string, threadId: string, messageId: string, metadata: Metadata): Promise<MessageObject | undefined>;
    delete(tenant: string, threadId: string, messageId: string): Promise<boolean>;
    /** `undefined` when the thread does not exist; throws `unknownCursor` for a cursor foreign to the thread. */
    list(tenant: string, threadId: string, query: ListQuery): Promise<MessagePage | undefined>;
  };
  /** How many threads and messages are stored, across all tenants (the metrics gauges). */
  stats(): Promise<{ threads: number; messages: number }>;
  close(): Promise<void>;
}
