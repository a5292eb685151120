import { idempotencyConflict, importedIdTaken, itemIdTaken, unknownCursor, unknownThreadCursor } from '../../errors.js';
import { newId } from '../../ids.js';
import type { MessageObject } from '../../schemas/messages.js';
import type { ThreadObject } from '../../schemas/threads.js';
import type {
  IdempotencyKey,
  ItemRecord,
  ItemView,
  ListQuery,
  Metadata,
  NewItem,
  NewThread,
  PageQuery,
  Store,
  StoredThread,
  ThreadChanges,
  ThreadListQuery,
} from '../types.js';
import { groupCommit } from './group-commit.js';
import { openDatabase } from './open-database.js';
import { toStoreError } from './store-errors.js';
import { toThread } from '../thread-row.js';
import { itemIdOf, THREAD_VIEW_SQL } from '../item-row.js';
import { deletedObject, IDEMPOTENCY_WINDOW, objectOf, PURGE_BATCH, purgeExpiredPeriodically } from '../idempotency-records.js';

interface ThreadRow {
  seq: number;
  id: string;
  created_at: number;
  metadata: string;
  tool_resources: string;
}

/**
 * An item row as an array, in ITEM_COLUMNS order: better-sqlite3 builds arrays faster than
 * objects, which shows in lists of many rows.
 */
type ItemRow = [
  seq: number,
  id: string,
  created_at: number,
  type: string,
  role: string,
  item: string | null,
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

const ITEM_COLUMNS = `seq, id, created_at, type, role, item, content, attachments, metadata, status,
  incomplete_details, completed_at, incomplete_at, assistant_id, run_id`;

interface Range {
  low: number;
  high: number;
  limit: number;
}

interface ItemRange extends Range {
  thread: number;
  runId: string | null;
  all: number;
}

interface ThreadRange extends Range {
  tenant: string;
  filter: string | null;
}

/**
 * One page of a list ordered by seq. `after` and `before` are cursor seqs; in seq terms they bound the
 * range on the side the order gives them. A `before` page without `after` holds the items closest to the
 * cursor, so it is read from the cursor outwards and turned around.
 */
function readPage<Row>(
  query: PageQuery,
  after: number | undefined,
  before: number | undefined,
  read: (ascending: boolean, range: Range) => Row[],
): { rows: Row[]; has_more: boolean } {
  const ascending = query.order === 'asc';
  const low = (ascending ? after : before) ?? 0;
  const high = (ascending ? before : after) ?? END;
  const fromCursor = before !== undefined && after === undefined;
  const rows = read(ascending !== fromCursor, { low, high, limit: query.limit + 1 });
  const has_more = rows.length > query.limit;
  if (has_more) rows.pop();
  if (fromCursor) rows.reverse();
  return { rows, has_more };
}

const itemListSql = (direction: 'ASC' | 'DESC') => `
  SELECT ${ITEM_COLUMNS} FROM messages
  WHERE thread_seq = @thread AND seq > @low AND seq < @high AND (@runId IS NULL OR run_id = @runId)
    AND (@all OR ${THREAD_VIEW_SQL})
  ORDER BY seq ${direction} LIMIT @limit`;

/** Every pair of the metadata filter (a JSON object) must be in the thread's metadata. */
const threadListSql = (direction: 'ASC' | 'DESC') => `
  SELECT seq, id, created_at, metadata, tool_resources FROM threads
  WHERE tenant = @tenant AND seq > @low AND seq < @high
    AND (@filter IS NULL OR NOT EXISTS (
      SELECT 1 FROM json_each(@filter) AS wanted WHERE NOT EXISTS (
        SELECT 1 FROM json_each(threads.metadata) AS have WHERE have.key = wanted.key AND have.value = wanted.value)))
  ORDER BY seq ${direction} LIMIT @limit`;

/** The metadata filter as a JSON object SQLite compares against, or null for none. */
function metadataFilter(metadata: Metadata | undefined): string | null {
  return metadata && Object.keys(metadata).length > 0 ? JSON.stringify(metadata) : null;
}

/** Past every real seq: the open end of a list range. */
const END = Number.MAX_SAFE_INTEGER;

const now = () => Math.floor(Date.now() / 1000);

function toRecord(row: ItemRow): ItemRecord {
  const [, id, created_at, type, role, item, content, attachments, metadata, status, incomplete_details, completed_at, incomplete_at, assistant_id, run_id] =
    row;
  return {
    id,
    created_at,
    type,
    role,
    item: item === null ? null : JSON.parse(item),
    content: JSON.parse(content),
    status,
    incomplete_details: incomplete_details === null ? null : JSON.parse(incomplete_details),
    completed_at,
    incomplete_at,
    assistant_id,
    run_id,
    attachments: JSON.parse(attachments),
    metadata: JSON.parse(metadata),
  };
}

const viewFlag = (view: ItemView) => (view === 'all' ? 1 : 0);

export interface SqliteOptions {
  /** `:memory:` or a file path; the file's folder is created when missing. */
  path: string;
  synchronous?: 'normal' | 'full';
  /**
   * How long a write waits for another process's write lock before the request gets a 503. SQLite waits
   * synchronously, holding the event loop, so the server waits a few milliseconds; the CLI may wait longer.
   */
  lockWaitMs?: number;
}

/** The server's wait for another process's write lock: SQLite's busy handler sleeps 1, 2, then 2 ms. */
export const SERVER_LOCK_WAIT_MS = 5;

/** A synchronous read whose SQLite failures become the API's 503s. */
const guarded =
  <A extends unknown[], T>(read: (...args: A) => T) =>
  async (...args: A): Promise<T> => {
    try {
      return read(...args);
    } catch (error) {
      throw toStoreError(error);
    }
  };

export function openSqliteStore({ path, synchronous = 'normal', lockWaitMs = SERVER_LOCK_WAIT_MS }: SqliteOptions): Store {
  const db = openDatabase(path, { synchronous, lockWaitMs });

  const sql = {
    insertThread: db.prepare<[string, string, number, string, string], { seq: number }>(
      'INSERT INTO threads (id, tenant, created_at, metadata, tool_resources) VALUES (?, ?, ?, ?, ?) RETURNING seq',
    ),
    /** Whether an item or a tombstone of the tenant has this id. */
    itemIdTaken: db.prepare<{ id: string; tenant: string }, { taken: number }>(
      `SELECT 1 AS taken FROM messages m JOIN threads t ON t.seq = m.thread_seq WHERE m.id = @id AND t.tenant = @tenant
       UNION ALL SELECT 1 FROM deleted_messages d JOIN threads t ON t.seq = d.thread_seq WHERE d.id = @id AND t.tenant = @tenant
       LIMIT 1`,
    ),
    threadById: db.prepare<[string, string], ThreadRow>(
      'SELECT seq, id, created_at, metadata, tool_resources FROM threads WHERE id = ? AND tenant = ?',
    ),
    updateThread: db.prepare<[string | null, string | null, string, string], ThreadRow>(
      `UPDATE threads SET metadata = coalesce(?, metadata), tool_resources = coalesce(?, tool_resources)
       WHERE id = ? AND tenant = ? RETURNING seq, id, created_at, metadata, tool_resources`,
    ),
    deleteThread: db.prepare<[string, string], { seq: number }>(
      'DELETE FROM threads WHERE id = ? AND tenant = ? RETURNING seq',
    ),
    insertThreadTombstone: db.prepare<[string, string, number]>(
      'INSERT INTO deleted_threads (id, tenant, seq) VALUES (?, ?, ?)',
    ),
    threadCursorSeq: db.prepare<{ id: string; tenant: string }, { seq: number }>(
      `SELECT seq FROM threads WHERE id = @id AND tenant = @tenant
       UNION ALL SELECT seq FROM deleted_threads WHERE id = @id AND tenant = @tenant`,
    ),
    listThreadsAscending: db.prepare<ThreadRange, ThreadRow>(threadListSql('ASC')),
    listThreadsDescending: db.prepare<ThreadRange, ThreadRow>(threadListSql('DESC')),
    threadsFrom: db.prepare<{ after: number; tenant: string | null; limit: number }, ThreadRow & { tenant: string }>(
      `SELECT seq, id, tenant, created_at, metadata, tool_resources FROM threads
       WHERE seq > @after AND (@tenant IS NULL OR tenant = @tenant) ORDER BY seq LIMIT @limit`,
    ),
    threadExists: db.prepare<[string], { seq: number }>('SELECT seq FROM threads WHERE id = ?'),
    importThread: db.prepare<[string, string, number, string, string], { seq: number }>(
      'INSERT INTO threads (id, tenant, created_at, metadata, tool_resources) VALUES (?, ?, ?, ?, ?) RETURNING seq',
    ),
    importItem: db.prepare<
      [string, number, number, string, string, string | null, string, string, string, string, string | null, number | null, number | null, string | null, string | null]
    >(
      `INSERT INTO messages (id, thread_seq, created_at, type, role, item, content, attachments, metadata, status,
         incomplete_details, completed_at, incomplete_at, assistant_id, run_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    idempotencyRecord: db.prepare<
      [string, string],
      { fingerprint: string; response: string | null; thread_id: string; object_id: string; created_at: number }
    >('SELECT fingerprint, response, thread_id, object_id, created_at FROM idempotency_keys WHERE tenant = ? AND key = ?'),
    recordIdempotency: db.prepare<[string, string, string, string, string, string, number]>(
      `INSERT OR REPLACE INTO idempotency_keys (tenant, key, fingerprint, response, thread_id, object_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    /** A deleted object's record stays, without its response, so a replay answers 404 and creates nothing. */
    neuterIdempotency: db.prepare<[string, string, string]>(
      'UPDATE idempotency_keys SET response = NULL WHERE thread_id = ? AND object_id = ? AND tenant = ?',
    ),
    /** The records of a deleted thread's messages: a replay finds no thread, as a first try would. */
    forgetThreadMessagesIdempotency: db.prepare<[string, string, string]>(
      'DELETE FROM idempotency_keys WHERE thread_id = ? AND object_id <> ? AND tenant = ?',
    ),
    purgeIdempotency: db.prepare<[number, number]>(
      `DELETE FROM idempotency_keys WHERE (tenant, key) IN (
         SELECT tenant, key FROM idempotency_keys WHERE created_at <= ? ORDER BY created_at LIMIT ?)`,
    ),
    clearThreadTombstone: db.prepare<[string]>('DELETE FROM deleted_threads WHERE id = ?'),
    /** Item ids are per tenant: an imported item's tombstone goes from the tenant's threads. */
    clearItemTombstone: db.prepare<[string, string]>(
      'DELETE FROM deleted_messages WHERE id = ? AND thread_seq IN (SELECT seq FROM threads WHERE tenant = ?)',
    ),
    insertItem: db.prepare<[string, number, number, string, string, string | null, string, string, string, string, number | null]>(
      `INSERT INTO messages (id, thread_seq, created_at, type, role, item, content, attachments, metadata, status, completed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    /** One lookup for thread and item: the item by its id, then its thread by seq to check id and tenant. */
    item: db
      .prepare<[string, string, string, number], ItemRow>(
        `SELECT ${ITEM_COLUMNS.replace(/(\w+)/g, 'm.$1')} FROM messages m JOIN threads t ON t.seq = m.thread_seq
         WHERE m.id = ? AND t.id = ? AND t.tenant = ? AND (? OR ${THREAD_VIEW_SQL.replace(/(type|role)/g, 'm.$1')})`,
      )
      .raw(),
    itemSeq: db.prepare<[string, number, number], { seq: number }>(
      `SELECT seq FROM messages WHERE id = ? AND thread_seq = ? AND (? OR ${THREAD_VIEW_SQL})`,
    ),
    updateItemMetadata: db
      .prepare<[string, string, number, number], ItemRow>(
        `UPDATE messages SET metadata = ? WHERE id = ? AND thread_seq = ? AND (? OR ${THREAD_VIEW_SQL}) RETURNING ${ITEM_COLUMNS}`,
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
    listAscending: db.prepare<ItemRange, ItemRow>(itemListSql('ASC')).raw(),
    listDescending: db.prepare<ItemRange, ItemRow>(itemListSql('DESC')).raw(),
    /** Every insert of threads or items adds itself here, in its transaction (deletes: migration 003's triggers). */
    countInserted: db.prepare<{ threads: number; messages: number }>(
      "UPDATE row_counts SET n = n + (CASE name WHEN 'threads' THEN @threads ELSE @messages END)",
    ),
    /** Kept by countInserted and triggers: two rows read, never a table counted. */
    stats: db.prepare<[], { threads: number; messages: number }>(
      `SELECT (SELECT n FROM row_counts WHERE name = 'threads') AS threads,
              (SELECT n FROM row_counts WHERE name = 'messages') AS messages`,
    ),
  };

  const writes = groupCommit(db);
  const write = <A extends unknown[], T>(change: (...args: A) => T, ...args: A): Promise<T> =>
    writes.run(change, ...args).catch((error: unknown) => {
      throw toStoreError(error);
    });
  const purgeExpired = () => sql.purgeIdempotency.run(now() - IDEMPOTENCY_WINDOW, PURGE_BATCH).changes;
  const purging = purgeExpiredPeriodically(() => write(purgeExpired));
  const threadSeq = (tenant: string, threadId: string) => sql.threadById.get(threadId, tenant)?.seq;

  /**
   * Writes items after the thread's latest, in order; the records are built from what was written, so
   * nothing is read back or re-parsed. A supplied id must be free in the tenant.
   */
  function insertItems(tenant: string, threadSeq: number, items: NewItem[], createdAt: number): ItemRecord[] {
    return items.map((item, index) => {
      if (item.id !== undefined && sql.itemIdTaken.get({ id: item.id, tenant })) throw itemIdTaken(index, item.id);
      const id = itemIdOf(item);
      const completedAt = item.status === 'completed' ? createdAt : null;
      sql.insertItem.run(
        id,
        threadSeq,
        createdAt,
        item.type,
        item.role,
        item.item === null ? null : JSON.stringify(item.item),
        JSON.stringify(item.content),
        JSON.stringify(item.attachments),
        JSON.stringify(item.metadata),
        item.status,
        completedAt,
      );
      return {
        id,
        created_at: createdAt,
        type: item.type,
        role: item.role,
        item: item.item,
        content: item.content,
        status: item.status,
        incomplete_details: null,
        completed_at: completedAt,
        incomplete_at: null,
        assistant_id: null,
        run_id: null,
        attachments: item.attachments,
        metadata: item.metadata,
      };
    });
  }

  /** The response recorded for this key within the window; throws when the key came with another request. */
  function recordedResponse(tenant: string, idempotency: IdempotencyKey | undefined): string | undefined {
    if (!idempotency) return undefined;
    const record = sql.idempotencyRecord.get(tenant, idempotency.key);
    if (!record || record.created_at <= now() - IDEMPOTENCY_WINDOW) return undefined;
    if (record.fingerprint !== idempotency.fingerprint) throw idempotencyConflict();
    if (record.response === null) throw deletedObject(record);
    return record.response;
  }

  function recordResponse<T>(
    tenant: string,
    idempotency: IdempotencyKey | undefined,
    response: T,
    { thread_id, object_id }: { thread_id: string; object_id: string },
  ): T {
    if (idempotency) {
      sql.recordIdempotency.run(tenant, idempotency.key, idempotency.fingerprint, JSON.stringify(response), thread_id, object_id, now());
    }
    return response;
  }

  // Writes that make several changes are transactions, which run as savepoints inside a group commit;
  // the others make one change each, atomic on its own.
  const createThread = db.transaction((tenant: string, thread: NewThread, idempotency?: IdempotencyKey) => {
    const recorded = recordedResponse(tenant, idempotency);
    if (recorded !== undefined) return JSON.parse(recorded) as ThreadObject;
    const createdAt = now();
    const id = thread.id ?? newId('thread');
    const metadata = JSON.stringify(thread.metadata);
    const toolResources = JSON.stringify(thread.tool_resources);
    const { seq } = sql.insertThread.get(id, tenant, createdAt, metadata, toolResources)!;
    insertItems(tenant, seq, thread.items, createdAt);
    sql.countInserted.run({ threads: 1, messages: thread.items.length });
    const created = toThread({ id, created_at: createdAt, metadata, tool_resources: toolResources });
    return recordResponse(tenant, idempotency, created, objectOf(created));
  });

  /** An items create's Idempotency-Key record follows its first item (the thread, when it wrote none). */
  const createItems = db.transaction((tenant: string, threadId: string, items: NewItem[], idempotency?: IdempotencyKey) => {
    const recorded = recordedResponse(tenant, idempotency);
    if (recorded !== undefined) return JSON.parse(recorded) as ItemRecord[];
    const thread = threadSeq(tenant, threadId);
    if (thread === undefined) return undefined;
    const created = insertItems(tenant, thread, items, now());
    sql.countInserted.run({ threads: 0, messages: created.length });
    return recordResponse(tenant, idempotency, created, { thread_id: threadId, object_id: created[0]?.id ?? threadId });
  });

  const deleteThread = db.transaction((tenant: string, threadId: string) => {
    const row = sql.deleteThread.get(threadId, tenant);
    if (!row) return false;
    sql.insertThreadTombstone.run(threadId, tenant, row.seq);
    sql.neuterIdempotency.run(threadId, threadId, tenant);
    sql.forgetThreadMessagesIdempotency.run(threadId, threadId, tenant);
    return true;
  });

  // A thread or item restored after its delete is live again: its tombstone goes, so it can be deleted again.
  const importThread = db.transaction((tenant: string, thread: ThreadObject, items: ItemRecord[]) => {
    if (sql.threadExists.get(thread.id)) return false;
    sql.clearThreadTombstone.run(thread.id);
    const { seq } = sql.importThread.get(
      thread.id,
      tenant,
      thread.created_at,
      JSON.stringify(thread.metadata),
      JSON.stringify(thread.tool_resources),
    )!;
    for (const m of items) {
      sql.clearItemTombstone.run(m.id, tenant);
      if (sql.itemIdTaken.get({ id: m.id, tenant })) throw importedIdTaken(m.id);
      sql.importItem.run(
        m.id,
        seq,
        m.created_at,
        m.type,
        m.role,
        m.item === null ? null : JSON.stringify(m.item),
        JSON.stringify(m.content),
        JSON.stringify(m.attachments),
        JSON.stringify(m.metadata),
        m.status,
        m.incomplete_details === null ? null : JSON.stringify(m.incomplete_details),
        m.completed_at,
        m.incomplete_at,
        m.assistant_id,
        m.run_id,
      );
    }
    sql.countInserted.run({ threads: 1, messages: items.length });
    return true;
  });

  const updateThread = (tenant: string, threadId: string, changes: ThreadChanges) => {
    const metadata = changes.metadata === undefined ? null : JSON.stringify(changes.metadata);
    const tools = changes.tool_resources === undefined ? null : JSON.stringify(changes.tool_resources);
    const row = sql.updateThread.get(metadata, tools, threadId, tenant);
    return row && toThread(row);
  };

  const updateItem = (tenant: string, threadId: string, itemId: string, metadata: Metadata, view: ItemView) => {
    const thread = threadSeq(tenant, threadId);
    const row =
      thread === undefined ? undefined : sql.updateItemMetadata.get(JSON.stringify(metadata), itemId, thread, viewFlag(view));
    return row && toRecord(row);
  };

  const deleteItem = db.transaction((tenant: string, threadId: string, itemId: string, view: ItemView) => {
    const thread = threadSeq(tenant, threadId);
    if (thread === undefined) return false;
    const row = sql.itemSeq.get(itemId, thread, viewFlag(view));
    if (!row) return false;
    sql.deleteMessage.run(row.seq);
    sql.insertTombstone.run(itemId, thread, row.seq);
    sql.neuterIdempotency.run(threadId, itemId, tenant);
    return true;
  });

  function messageCursor(param: 'after' | 'before', id: string | undefined, thread: number): number | undefined {
    if (id === undefined) return undefined;
    const row = sql.cursorSeq.get({ id, thread });
    if (!row) throw unknownCursor(param, id);
    return row.seq;
  }

  function threadCursor(param: 'after' | 'before', id: string | undefined, tenant: string): number | undefined {
    if (id === undefined) return undefined;
    const row = sql.threadCursorSeq.get({ id, tenant });
    if (!row) throw unknownThreadCursor(param, id);
    return row.seq;
  }

  function listItems(tenant: string, threadId: string, query: ListQuery) {
    const thread = threadSeq(tenant, threadId);
    if (thread === undefined) return undefined;
    const after = messageCursor('after', query.after, thread);
    const before = messageCursor('before', query.before, thread);
    const runId = query.run_id ?? null;
    const { rows, has_more } = readPage(query, after, before, (ascending, range) =>
      (ascending ? sql.listAscending : sql.listDescending).all({ ...range, thread, runId, all: viewFlag(query.view) }),
    );
    return { data: rows.map(toRecord), has_more };
  }

  function listThreads(tenant: string, query: ThreadListQuery) {
    const after = threadCursor('after', query.after, tenant);
    const before = threadCursor('before', query.before, tenant);
    const filter = metadataFilter(query.metadata);
    const { rows, has_more } = readPage(query, after, before, (ascending, range) =>
      (ascending ? sql.listThreadsAscending : sql.listThreadsDescending).all({ ...range, tenant, filter }),
    );
    return { data: rows.map(toThread), has_more };
  }

  async function* allThreads(tenant?: string): AsyncIterable<StoredThread> {
    let after = 0;
    for (;;) {
      const rows = sql.threadsFrom.all({ after, tenant: tenant ?? null, limit: 500 });
      for (const row of rows) yield { tenant: row.tenant, thread: toThread(row) };
      if (rows.length < 500) return;
      after = rows[rows.length - 1]!.seq;
    }
  }

  return {
    threads: {
      create: (tenant, thread, idempotency) => write(createThread, tenant, thread, idempotency),
      get: guarded((tenant: string, threadId: string) => {
        const row = sql.threadById.get(threadId, tenant);
        return row && toThread(row);
      }),
      update: (tenant, threadId, changes) => write(updateThread, tenant, threadId, changes),
      delete: (tenant, threadId) => write(deleteThread, tenant, threadId),
      list: guarded(listThreads),
    },
    items: {
      create: (tenant, threadId, items, idempotency) => write(createItems, tenant, threadId, items, idempotency),
      get: guarded((tenant: string, threadId: string, itemId: string, view: ItemView) => {
        const row = sql.item.get(itemId, threadId, tenant, viewFlag(view));
        return row && toRecord(row);
      }),
      update: (tenant, threadId, itemId, metadata, view) => write(updateItem, tenant, threadId, itemId, metadata, view),
      delete: (tenant, threadId, itemId, view) => write(deleteItem, tenant, threadId, itemId, view),
      list: guarded(listItems),
    },
    purgeExpiredIdempotencyKeys: () => write(purgeExpired),
    stats: guarded(() => sql.stats.get()!),
    transfer: {
      threads: allThreads,
      importThread: (tenant, thread, items) => write(importThread, tenant, thread, items),
    },
    close: async () => {
      purging.stop();
      writes.flush();
      db.close();
    },
  };
}
