import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { unknownCursor } from '../../errors.js';
import { newId } from '../../ids.js';
import type { MessageObject } from '../../schemas/messages.js';
import type { ThreadObject } from '../../schemas/threads.js';
import type { ListQuery, Metadata, NewMessage, NewThread, Store, ThreadChanges } from '../types.js';
import { migrate } from './migrate.js';

interface ThreadRow {
  seq: number;
  id: string;
  created_at: number;
  metadata: string;
  tool_resources: string;
}

interface MessageRow {
  seq: number;
  id: string;
  created_at: number;
  role: 'user' | 'assistant';
  content: string;
  attachments: string;
  metadata: string;
  status: MessageObject['status'];
  incomplete_details: string | null;
  completed_at: number | null;
  incomplete_at: number | null;
  assistant_id: string | null;
  run_id: string | null;
}

const MESSAGE_COLUMNS = `seq, id, created_at, role, content, attachments, metadata, status,
  incomplete_details, completed_at, incomplete_at, assistant_id, run_id`;

interface ListRange {
  thread: number;
  low: number;
  high: number;
  runId: string | null;
  limit: number;
}

/** Past every real seq: the open end of a list range. */
const END = Number.MAX_SAFE_INTEGER;

const now = () => Math.floor(Date.now() / 1000);

function toThread(row: ThreadRow): ThreadObject {
  return {
    id: row.id,
    object: 'thread',
    created_at: row.created_at,
    tool_resources: JSON.parse(row.tool_resources),
    metadata: JSON.parse(row.metadata),
  };
}

function toMessage(row: MessageRow, threadId: string): MessageObject {
  return {
    id: row.id,
    object: 'thread.message',
    created_at: row.created_at,
    thread_id: threadId,
    status: row.status,
    incomplete_details: row.incomplete_details === null ? null : JSON.parse(row.incomplete_details),
    completed_at: row.completed_at,
    incomplete_at: row.incomplete_at,
    role: row.role,
    content: JSON.parse(row.content),
    assistant_id: row.assistant_id,
    run_id: row.run_id,
    attachments: JSON.parse(row.attachments),
    metadata: JSON.parse(row.metadata),
  };
}

export interface SqliteOptions {
  /** `:memory:` or a file path; the file's folder is created when missing. */
  path: string;
  synchronous?: 'normal' | 'full';
}

export function openSqliteStore({ path, synchronous = 'normal' }: SqliteOptions): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deleted and overwritten content is zeroed on disk, not left in free space: a delete is for good.
  db.pragma('secure_delete = ON');
  migrate(db);

  const sql = {
    insertThread: db.prepare<[string, string, number, string, string], { seq: number }>(
      'INSERT INTO threads (id, tenant, created_at, metadata, tool_resources) VALUES (?, ?, ?, ?, ?) RETURNING seq',
    ),
    threadById: db.prepare<[string, string], ThreadRow>(
      'SELECT seq, id, created_at, metadata, tool_resources FROM threads WHERE id = ? AND tenant = ?',
    ),
    updateThread: db.prepare<[string | null, string | null, string, string], ThreadRow>(
      `UPDATE threads SET metadata = coalesce(?, metadata), tool_resources = coalesce(?, tool_resources)
       WHERE id = ? AND tenant = ? RETURNING seq, id, created_at, metadata, tool_resources`,
    ),
    deleteThread: db.prepare<[string, string]>('DELETE FROM threads WHERE id = ? AND tenant = ?'),
    insertMessage: db.prepare<[string, number, number, string, string, string, string, string, number], MessageRow>(
      `INSERT INTO messages (id, thread_seq, created_at, role, content, attachments, metadata, status, completed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${MESSAGE_COLUMNS}`,
    ),
    messageById: db.prepare<[string, number], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ? AND thread_seq = ?`,
    ),
    updateMessageMetadata: db.prepare<[string, string, number], MessageRow>(
      `UPDATE messages SET metadata = ? WHERE id = ? AND thread_seq = ? RETURNING ${MESSAGE_COLUMNS}`,
    ),
    deleteMessage: db.prepare<[number]>('DELETE FROM messages WHERE seq = ?'),
    insertTombstone: db.prepare<[string, number, number]>(
      'INSERT INTO deleted_messages (id, thread_seq, seq) VALUES (?, ?, ?)',
    ),
    cursorSeq: db.prepare<{ id: string; thread: number }, { seq: number }>(
      `SELECT seq FROM messages WHERE id = @id AND thread_seq = @thread
       UNION ALL SELECT seq FROM deleted_messages WHERE id = @id AND thread_seq = @thread`,
    ),
    listAscending: db.prepare<ListRange, MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE thread_seq = @thread AND seq > @low AND seq < @high AND (@runId IS NULL OR run_id = @runId)
       ORDER BY seq ASC LIMIT @limit`,
    ),
    listDescending: db.prepare<ListRange, MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
       WHERE thread_seq = @thread AND seq > @low AND seq < @high AND (@runId IS NULL OR run_id = @runId)
       ORDER BY seq DESC LIMIT @limit`,
    ),
    stats: db.prepare<[], { threads: number; messages: number }>(
      'SELECT (SELECT count(*) FROM threads) AS threads, (SELECT count(*) FROM messages) AS messages',
    ),
  };

  const threadSeq = (tenant: string, threadId: string) => sql.threadById.get(threadId, tenant)?.seq;

  const insertMessage = (threadSeq: number, message: NewMessage, createdAt: number) =>
    sql.insertMessage.get(
      newId('msg'),
      threadSeq,
      createdAt,
      message.role,
      JSON.stringify(message.content),
      JSON.stringify(message.attachments),
      JSON.stringify(message.metadata),
      'completed',
      createdAt,
    )!;

  const createThread = db.transaction((tenant: string, thread: NewThread) => {
    const createdAt = now();
    const id = newId('thread');
    const metadata = JSON.stringify(thread.metadata);
    const toolResources = JSON.stringify(thread.tool_resources);
    const { seq } = sql.insertThread.get(id, tenant, createdAt, metadata, toolResources)!;
    for (const message of thread.messages) insertMessage(seq, message, createdAt);
    return toThread({ seq, id, created_at: createdAt, metadata, tool_resources: toolResources });
  });

  const createMessage = db.transaction((tenant: string, threadId: string, message: NewMessage) => {
    const thread = threadSeq(tenant, threadId);
    return thread === undefined ? undefined : toMessage(insertMessage(thread, message, now()), threadId);
  });

  const deleteMessage = db.transaction((tenant: string, threadId: string, messageId: string) => {
    const thread = threadSeq(tenant, threadId);
    if (thread === undefined) return false;
    const row = sql.messageById.get(messageId, thread);
    if (!row) return false;
    sql.deleteMessage.run(row.seq);
    sql.insertTombstone.run(row.id, thread, row.seq);
    return true;
  });

  function resolveCursor(param: 'after' | 'before', id: string | undefined, thread: number): number | undefined {
    if (id === undefined) return undefined;
    const row = sql.cursorSeq.get({ id, thread });
    if (!row) throw unknownCursor(param, id);
    return row.seq;
  }

  function listMessages(tenant: string, threadId: string, query: ListQuery) {
    const thread = threadSeq(tenant, threadId);
    if (thread === undefined) return undefined;
    const after = resolveCursor('after', query.after, thread);
    const before = resolveCursor('before', query.before, thread);
    const ascending = query.order === 'asc';
    // In seq terms: `after` and `before` bound the range on the side the order gives them.
    const low = (ascending ? after : before) ?? 0;
    const high = (ascending ? before : after) ?? END;
    const runId = query.run_id ?? null;
    // A `before` page without `after` holds the items closest to the cursor: read from it outwards.
    const fromCursor = before !== undefined && after === undefined;
    const readAscending = ascending !== fromCursor;
    const statement = readAscending ? sql.listAscending : sql.listDescending;
    const rows = statement.all({ thread, low, high, runId, limit: query.limit + 1 });
    const has_more = rows.length > query.limit;
    if (has_more) rows.pop();
    if (fromCursor) rows.reverse();
    return { data: rows.map((row) => toMessage(row, threadId)), has_more };
  }

  return {
    threads: {
      create: async (tenant, thread) => createThread(tenant, thread),
      get: async (tenant, threadId) => {
        const row = sql.threadById.get(threadId, tenant);
        return row && toThread(row);
      },
      update: async (tenant, threadId, changes: ThreadChanges) => {
        const metadata = changes.metadata === undefined ? null : JSON.stringify(changes.metadata);
        const tools = changes.tool_resources === undefined ? null : JSON.stringify(changes.tool_resources);
        const row = sql.updateThread.get(metadata, tools, threadId, tenant);
        return row && toThread(row);
      },
      delete: async (tenant, threadId) => sql.deleteThread.run(threadId, tenant).changes > 0,
    },
    messages: {
      create: async (tenant, threadId, message) => createMessage(tenant, threadId, message),
      get: async (tenant, threadId, messageId) => {
        const seq = threadSeq(tenant, threadId);
        const row = seq === undefined ? undefined : sql.messageById.get(messageId, seq);
        return row && toMessage(row, threadId);
      },
      update: async (tenant, threadId, messageId, metadata: Metadata) => {
        const seq = threadSeq(tenant, threadId);
        const row = seq === undefined ? undefined : sql.updateMessageMetadata.get(JSON.stringify(metadata), messageId, seq);
        return row && toMessage(row, threadId);
      },
      delete: async (tenant, threadId, messageId) => deleteMessage(tenant, threadId, messageId),
      list: async (tenant, threadId, query) => listMessages(tenant, threadId, query),
    },
    stats: async () => sql.stats.get()!,
    close: async () => {
      db.close();
    },
  };
}
