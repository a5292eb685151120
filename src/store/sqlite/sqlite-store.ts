import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { unknownCursor } from '../../errors.js';
import { newId } from '../../ids.js';
import type { MessageObject } from '../../schemas/messages.js';
import type { ThreadObject } from '../../schemas/threads.js';
import type { ListQuery, Metadata, NewMessage, NewThread, Store, ThreadChanges } from '../types.js';
import { groupCommit } from './group-commit.js';
import { migrate } from './migrate.js';

interface ThreadRow {
  seq: number;
  id: string;
  created_at: number;
  metadata: string;
  tool_resources: string;
}

/**
 * A message row as an array, in MESSAGE_COLUMNS order: better-sqlite3 builds arrays faster than
 * objects, which shows in lists of many rows.
 */
type MessageRow = [
  seq: number,
  id: string,
  created_at: number,
  role: 'user' | 'assistant',
  content: string,
  attachments: string,
  metadata: string,
  status: MessageObject['status'],
  incomplete_details: string | null,
  completed_at: number | null,
  incomplete_at: number | null,
  assistant_id: string | null,
  run_id: string | null,
];

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
  const [, id, created_at, role, content, attachments, metadata, status, incomplete_details, completed_at, incomplete_at, assistant_id, run_id] =
    row;
  return {
    id,
    object: 'thread.message',
    created_at,
    thread_id: threadId,
    status,
    incomplete_details: incomplete_details === null ? null : JSON.parse(incomplete_details),
    completed_at,
    incomplete_at,
    role,
    content: JSON.parse(content),
    assistant_id,
    run_id,
    attachments: JSON.parse(attachments),
    metadata: JSON.parse(metadata),
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
    insertMessage: db.prepare<[string, number, number, string, string, string, string, string, number]>(
      `INSERT INTO messages (id, thread_seq, created_at, role, content, attachments, metadata, status, completed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    /** One lookup for thread and message: the message by its id, then its thread by seq to check id and tenant. */
    message: db
      .prepare<[string, string, string], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS.replace(/(\w+)/g, 'm.$1')} FROM messages m JOIN threads t ON t.seq = m.thread_seq
         WHERE m.id = ? AND t.id = ? AND t.tenant = ?`,
      )
      .raw(),
    messageSeq: db.prepare<[string, number], { seq: number }>('SELECT seq FROM messages WHERE id = ? AND thread_seq = ?'),
    updateMessageMetadata: db
      .prepare<[string, string, number], MessageRow>(
        `UPDATE messages SET metadata = ? WHERE id = ? AND thread_seq = ? RETURNING ${MESSAGE_COLUMNS}`,
      )
      .raw(),
    deleteMessage: db.prepare<[number]>('DELETE FROM messages WHERE seq = ?'),
    insertTombstone: db.prepare<[string, number, number]>(
      'INSERT INTO deleted_messages (id, thread_seq, seq) VALUES (?, ?, ?)',
    ),
    cursorSeq: db.prepare<{ id: string; thread: number }, { seq: number }>(
      `SELECT seq FROM messages WHERE id = @id AND thread_seq = @thread
       UNION ALL SELECT seq FROM deleted_messages WHERE id = @id AND thread_seq = @thread`,
    ),
    listAscending: db
      .prepare<ListRange, MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages
         WHERE thread_seq = @thread AND seq > @low AND seq < @high AND (@runId IS NULL OR run_id = @runId)
         ORDER BY seq ASC LIMIT @limit`,
      )
      .raw(),
    listDescending: db
      .prepare<ListRange, MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages
         WHERE thread_seq = @thread AND seq > @low AND seq < @high AND (@runId IS NULL OR run_id = @runId)
         ORDER BY seq DESC LIMIT @limit`,
      )
      .raw(),
  };

  const writes = groupCommit(db);
  const threadSeq = (tenant: string, threadId: string) => sql.threadById.get(threadId, tenant)?.seq;

  /** Writes a message; the answer is built from what was written, so nothing is read back or re-parsed. */
  function insertMessage(threadSeq: number, threadId: string, message: NewMessage, createdAt: number): MessageObject {
    const id = newId('msg');
    sql.insertMessage.run(
      id,
      threadSeq,
      createdAt,
      message.role,
      JSON.stringify(message.content),
      JSON.stringify(message.attachments),
      JSON.stringify(message.metadata),
      'completed',
      createdAt,
    );
    return {
      id,
      object: 'thread.message',
      created_at: createdAt,
      thread_id: threadId,
      status: 'completed',
      incomplete_details: null,
      completed_at: createdAt,
      incomplete_at: null,
      role: message.role,
      content: message.content,
      assistant_id: null,
      run_id: null,
      attachments: message.attachments,
      metadata: message.metadata,
    };
  }

  // createThread and deleteMessage make several changes: transactions, which run as savepoints inside a
  // group commit. The other writes make one change each, atomic on its own.
  const createThread = db.transaction((tenant: string, thread: NewThread) => {
    const createdAt = now();
    const id = newId('thread');
    const metadata = JSON.stringify(thread.metadata);
    const toolResources = JSON.stringify(thread.tool_resources);
    const { seq } = sql.insertThread.get(id, tenant, createdAt, metadata, toolResources)!;
    for (const message of thread.messages) insertMessage(seq, id, message, createdAt);
    return toThread({ seq, id, created_at: createdAt, metadata, tool_resources: toolResources });
  });

  const updateThread = (tenant: string, threadId: string, changes: ThreadChanges) => {
    const metadata = changes.metadata === undefined ? null : JSON.stringify(changes.metadata);
    const tools = changes.tool_resources === undefined ? null : JSON.stringify(changes.tool_resources);
    const row = sql.updateThread.get(metadata, tools, threadId, tenant);
    return row && toThread(row);
  };

  const deleteThread = (tenant: string, threadId: string) => sql.deleteThread.run(threadId, tenant).changes > 0;

  const createMessage = (tenant: string, threadId: string, message: NewMessage) => {
    const thread = threadSeq(tenant, threadId);
    return thread === undefined ? undefined : insertMessage(thread, threadId, message, now());
  };

  const updateMessage = (tenant: string, threadId: string, messageId: string, metadata: Metadata) => {
    const thread = threadSeq(tenant, threadId);
    const row = thread === undefined ? undefined : sql.updateMessageMetadata.get(JSON.stringify(metadata), messageId, thread);
    return row && toMessage(row, threadId);
  };

  const deleteMessage = db.transaction((tenant: string, threadId: string, messageId: string) => {
    const thread = threadSeq(tenant, threadId);
    if (thread === undefined) return false;
    const row = sql.messageSeq.get(messageId, thread);
    if (!row) return false;
    sql.deleteMessage.run(row.seq);
    sql.insertTombstone.run(messageId, thread, row.seq);
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
      create: (tenant, thread) => writes.run(createThread, tenant, thread),
      get: async (tenant, threadId) => {
        const row = sql.threadById.get(threadId, tenant);
        return row && toThread(row);
      },
      update: (tenant, threadId, changes) => writes.run(updateThread, tenant, threadId, changes),
      delete: (tenant, threadId) => writes.run(deleteThread, tenant, threadId),
    },
    messages: {
      create: (tenant, threadId, message) => writes.run(createMessage, tenant, threadId, message),
      get: async (tenant, threadId, messageId) => {
        const row = sql.message.get(messageId, threadId, tenant);
        return row && toMessage(row, threadId);
      },
      update: (tenant, threadId, messageId, metadata) => writes.run(updateMessage, tenant, threadId, messageId, metadata),
      delete: (tenant, threadId, messageId) => writes.run(deleteMessage, tenant, threadId, messageId),
      list: async (tenant, threadId, query) => listMessages(tenant, threadId, query),
    },
    close: async () => {
      writes.flush();
      db.close();
    },
  };
}
