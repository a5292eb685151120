import { storeUnavailable, unknownCursor } from '../../errors.js';
import { newId } from '../../ids.js';
import type { MessageObject } from '../../schemas/messages.js';
import type { ThreadObject } from '../../schemas/threads.js';
import type { ListQuery, MessagePage, NewMessage, NewThread, Store } from '../types.js';
import { createClient, createPool, isUnavailable, waitForDatabase, type PostgresOptions } from './connection.js';
import { migrate } from './migrate.js';

interface ThreadRow {
  seq: number;
  id: string;
  created_at: number;
  metadata: string;
  tool_resources: string;
}

interface MessageRow {
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

const MESSAGE_COLUMNS = `m.id, m.created_at, m.role, m.content, m.attachments, m.metadata, m.status,
  m.incomplete_details, m.completed_at, m.incomplete_at, m.assistant_id, m.run_id`;

/** The database's clock, read after the thread row is locked: one clock for every replica. */
const NOW_SECONDS = 'floor(extract(epoch FROM clock_timestamp()))::bigint';

/** Past every real position: the open end of a list range. */
const END = Number.MAX_SAFE_INTEGER;

const SQL = {
  threadById: 'SELECT seq, id, created_at, metadata, tool_resources FROM threads WHERE id = $1 AND tenant = $2',
  // One statement, so atomic: the thread and its messages at positions 1..n.
  createThread: `WITH thread AS (
      INSERT INTO threads (id, tenant, created_at, metadata, tool_resources, last_position)
      VALUES ($1, $2, ${NOW_SECONDS}, $3, $4, cardinality($5::text[]))
      RETURNING seq, created_at
    ), inserted AS (
      INSERT INTO messages (thread_seq, position, id, created_at, role, content, attachments, metadata, status, completed_at)
      SELECT thread.seq, given.position, given.id, thread.created_at, given.role, given.content, given.attachments,
             given.metadata, 'completed', thread.created_at
      FROM thread, unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
        WITH ORDINALITY AS given (id, role, content, attachments, metadata, position)
    )
    SELECT seq, created_at FROM thread`,
  updateThread: `UPDATE threads SET metadata = coalesce($1, metadata), tool_resources = coalesce($2, tool_resources)
    WHERE id = $3 AND tenant = $4 RETURNING seq, id, created_at, metadata, tool_resources`,
  deleteThread: 'DELETE FROM threads WHERE id = $1 AND tenant = $2',
  // The UPDATE locks the thread row until this statement commits: the next writer to the thread waits,
  // so positions are handed out and committed in the same order.
  createMessage: `WITH thread AS (
      UPDATE threads SET last_position = last_position + 1 WHERE id = $1 AND tenant = $2
      RETURNING seq, last_position, ${NOW_SECONDS} AS created_at
    )
    INSERT INTO messages AS m (thread_seq, position, id, created_at, role, content, attachments, metadata, status, completed_at)
    SELECT seq, last_position, $3, created_at, $4, $5, $6, $7, 'completed', created_at FROM thread
    RETURNING ${MESSAGE_COLUMNS}`,
  messageById: `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN threads t ON t.seq = m.thread_seq
    WHERE t.id = $1 AND t.tenant = $2 AND m.id = $3`,
  updateMessageMetadata: `UPDATE messages m SET metadata = $4 FROM threads t
    WHERE t.seq = m.thread_seq AND t.id = $1 AND t.tenant = $2 AND m.id = $3 RETURNING ${MESSAGE_COLUMNS}`,
  // Content and metadata go for good; only the id and position stay, for cursors.
  deleteMessage: `WITH gone AS (
      DELETE FROM messages m USING threads t
      WHERE t.seq = m.thread_seq AND t.id = $1 AND t.tenant = $2 AND m.id = $3
      RETURNING m.id, m.thread_seq, m.position
    )
    INSERT INTO deleted_messages (id, thread_seq, position) SELECT id, thread_seq, position FROM gone`,
  cursorPosition: `SELECT position FROM messages WHERE id = $1 AND thread_seq = $2
    UNION ALL SELECT position FROM deleted_messages WHERE id = $1 AND thread_seq = $2`,
  // Exact counts for the metrics gauges (a scan: scrape accordingly on very large databases).
  stats: 'SELECT (SELECT count(*) FROM threads) AS threads, (SELECT count(*) FROM messages) AS messages',
  list: (direction: 'ASC' | 'DESC') => `SELECT ${MESSAGE_COLUMNS} FROM messages m
    WHERE m.thread_seq = $1 AND m.position > $2 AND m.position < $3 AND ($4::text IS NULL OR m.run_id = $4)
    ORDER BY m.position ${direction} LIMIT $5`,
};

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

/**
 * PostgreSQL's text rejects U+0000, so no stored key can contain it: a key that does names nothing.
 * (JSON is safe: JSON.stringify writes U+0000 and lone surrogates as escapes.)
 */
const unstorable = (...keys: (string | undefined)[]) => keys.some((key) => key?.includes('\0'));

/** A database that is away answers 503 (retried by the SDKs); every other failure stays what it is. */
function guard<A extends unknown[], R>(operation: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await operation(...args);
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      const unavailable = storeUnavailable();
      unavailable.cause = error;
      throw unavailable;
    }
  };
}

/** Waits for the database, migrates it (once, whatever the number of replicas starting), opens the pool. */
export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  const pool = createPool(options);
  try {
    await waitForDatabase(pool, options);
    const client = createClient(options);
    await client.connect();
    try {
      await migrate(client);
    } finally {
      await client.end();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }

  const threadRow = async (tenant: string, threadId: string) => {
    if (unstorable(tenant, threadId)) return undefined;
    return (await pool.query<ThreadRow>(SQL.threadById, [threadId, tenant])).rows[0];
  };

  async function createThread(tenant: string, thread: NewThread): Promise<ThreadObject> {
    const id = newId('thread');
    const metadata = JSON.stringify(thread.metadata);
    const toolResources = JSON.stringify(thread.tool_resources);
    const messages = thread.messages;
    const { rows } = await pool.query<{ seq: number; created_at: number }>(SQL.createThread, [
      id,
      tenant,
      metadata,
      toolResources,
      messages.map(() => newId('msg')),
      messages.map((message) => message.role),
      messages.map((message) => JSON.stringify(message.content)),
      messages.map((message) => JSON.stringify(message.attachments)),
      messages.map((message) => JSON.stringify(message.metadata)),
    ]);
    const { seq, created_at } = rows[0]!;
    return toThread({ seq, id, created_at, metadata, tool_resources: toolResources });
  }

  async function resolveCursor(param: 'after' | 'before', id: string | undefined, thread: number) {
    if (id === undefined) return undefined;
    const row = unstorable(id) ? undefined : (await pool.query<{ position: number }>(SQL.cursorPosition, [id, thread])).rows[0];
    if (!row) throw unknownCursor(param, id);
    return row.position;
  }

  async function listMessages(tenant: string, threadId: string, query: ListQuery): Promise<MessagePage | undefined> {
    const thread = await threadRow(tenant, threadId);
    if (!thread) return undefined;
    const after = await resolveCursor('after', query.after, thread.seq);
    const before = await resolveCursor('before', query.before, thread.seq);
    if (unstorable(query.run_id)) return { data: [], has_more: false };
    const ascending = query.order === 'asc';
    // In position terms: `after` and `before` bound the range on the side the order gives them.
    const low = (ascending ? after : before) ?? 0;
    const high = (ascending ? before : after) ?? END;
    // A `before` page without `after` holds the items closest to the cursor: read from it outwards.
    const fromCursor = before !== undefined && after === undefined;
    const readAscending = ascending !== fromCursor;
    const { rows } = await pool.query<MessageRow>(SQL.list(readAscending ? 'ASC' : 'DESC'), [
      thread.seq,
      low,
      high,
      query.run_id ?? null,
      query.limit + 1,
    ]);
    const has_more = rows.length > query.limit;
    if (has_more) rows.pop();
    if (fromCursor) rows.reverse();
    return { data: rows.map((row) => toMessage(row, threadId)), has_more };
  }

  return {
    threads: {
      create: guard(createThread),
      get: guard(async (tenant, threadId) => {
        const row = await threadRow(tenant, threadId);
        return row && toThread(row);
      }),
      update: guard(async (tenant, threadId, changes) => {
        if (unstorable(tenant, threadId)) return undefined;
        const metadata = changes.metadata === undefined ? null : JSON.stringify(changes.metadata);
        const tools = changes.tool_resources === undefined ? null : JSON.stringify(changes.tool_resources);
        const row = (await pool.query<ThreadRow>(SQL.updateThread, [metadata, tools, threadId, tenant])).rows[0];
        return row && toThread(row);
      }),
      delete: guard(async (tenant, threadId) => {
        if (unstorable(tenant, threadId)) return false;
        return ((await pool.query(SQL.deleteThread, [threadId, tenant])).rowCount ?? 0) > 0;
      }),
    },
    messages: {
      create: guard(async (tenant, threadId, message: NewMessage) => {
        if (unstorable(tenant, threadId)) return undefined;
        const row = (
          await pool.query<MessageRow>(SQL.createMessage, [
            threadId,
            tenant,
            newId('msg'),
            message.role,
            JSON.stringify(message.content),
            JSON.stringify(message.attachments),
            JSON.stringify(message.metadata),
          ])
        ).rows[0];
        return row && toMessage(row, threadId);
      }),
      get: guard(async (tenant, threadId, messageId) => {
        if (unstorable(tenant, threadId, messageId)) return undefined;
        const row = (await pool.query<MessageRow>(SQL.messageById, [threadId, tenant, messageId])).rows[0];
        return row && toMessage(row, threadId);
      }),
      update: guard(async (tenant, threadId, messageId, metadata) => {
        if (unstorable(tenant, threadId, messageId)) return undefined;
        const values = [threadId, tenant, messageId, JSON.stringify(metadata)];
        const row = (await pool.query<MessageRow>(SQL.updateMessageMetadata, values)).rows[0];
        return row && toMessage(row, threadId);
      }),
      delete: guard(async (tenant, threadId, messageId) => {
        if (unstorable(tenant, threadId, messageId)) return false;
        return ((await pool.query(SQL.deleteMessage, [threadId, tenant, messageId])).rowCount ?? 0) > 0;
      }),
      list: guard(listMessages),
    },
    stats: guard(async () => (await pool.query<{ threads: number; messages: number }>(SQL.stats)).rows[0]!),
    close: () => pool.end(),
  };
}
