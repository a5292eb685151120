import { idempotencyConflict, importedIdTaken, itemIdTaken, unknownCursor, unknownThreadCursor } from '../../errors.js';
import { newId } from '../../ids.js';
import type { ThreadObject } from '../../schemas/threads.js';
import type {
  IdempotencyKey,
  ItemRecord,
  ItemView,
  ListQuery,
  ItemPage,
  Metadata,
  NewItem,
  NewThread,
  Page,
  Store,
  StoredThread,
  ThreadChanges,
  ThreadListQuery,
} from '../types.js';
import { type PairIndex, walkFiltered } from '../metadata-walk.js';
import { rowsWithinBudget } from '../page-budget.js';
import { type Direction, readPage, whole } from '../read-page.js';
import { backgroundPurge, PURGING_TENANT } from '../thread-purge.js';
import { groupCommit } from './group-commit.js';
import type Database from 'better-sqlite3';
import { openDatabase } from './open-database.js';
import { toStoreError } from './store-errors.js';
import { toThread } from '../thread-row.js';
import { itemIdOf, THREAD_VIEW_SQL } from '../item-row.js';
import { ITEM_COLUMNS, type ItemRow, toRecord } from './item-rows.js';
import { itemJsonOf } from '../../views/response-json.js';
import {
  deletedObject,
  IDEMPOTENCY_WINDOW,
  objectOf,
  PURGE_BATCH,
  purgeExpiredPeriodically,
} from '../idempotency-records.js';

interface ThreadRow {
  seq: number;
  id: string;
  created_at: number;
  metadata: string;
  tool_resources: string;
}

interface Range {
  low: number;
  high: number;
  limit: number;
}

/** An item's id and its stored answer in the view read. */
type JsonRow = [id: string, json: string];

interface ItemRange extends Range {
  thread: number;
  runId?: string;
  all: number;
}

interface ThreadRange extends Range {
  tenant: string;
}

interface PairScan {
  tenant: string;
  key: string;
  value: string;
  others: string;
  low: number;
  high: number;
  max: number;
}

/** Messages a thread purge deletes per statement (each up to the body limit in size), and its time slice per write. */
const THREAD_PURGE_BATCH = 16;
const THREAD_PURGE_SLICE_MS = 10;

/**
 * A thread's items in order, the thread view's only unless @all (or, with `sizes`, what their JSON columns
 * take: SQLite reads that from the row header, not the content); with `run_id`, through the index of messages that have one (SQLite has no
 * statistics to prefer it over the thread's index).
 */
export const itemListSql = (direction: Direction, byRun: boolean, read: 'rows' | 'sizes' | 'json' = 'rows') => `
  SELECT ${read === 'sizes' ? 'coalesce(octet_length(item), 0) + octet_length(content) + octet_length(attachments) + octet_length(metadata)' : read === 'json' ? `id, ${VIEW_JSON}` : ITEM_COLUMNS}
  FROM messages${byRun ? ' INDEXED BY messages_by_run' : ''}
  WHERE thread_seq = @thread AND ${byRun ? 'run_id = @runId AND ' : ''}seq > @low AND seq < @high
    AND (@all OR ${THREAD_VIEW_SQL})
  ORDER BY seq ${direction} LIMIT @limit`;

/** The stored answer of the view a read asks for (`@all` or `?` set: the Conversations API's). */
const VIEW_JSON = 'CASE WHEN @all THEN item_json ELSE thread_json END';

const threadListSql = (direction: Direction) => `
  SELECT seq, id, created_at, metadata, tool_resources FROM threads
  WHERE tenant = @tenant AND seq > @low AND seq < @high
  ORDER BY seq ${direction} LIMIT @limit`;

/**
 * Up to @max threads holding the pair @key = @value, each with its row when it holds every pair of @others
 * (a JSON object) too: the walk of a metadata-filtered list (metadata-walk.ts).
 */
const metadataScanSql = (direction: Direction) => `
  SELECT d.thread_seq AS position, t.seq, t.id, t.created_at, t.metadata, t.tool_resources FROM (
    SELECT thread_seq FROM thread_metadata
    WHERE tenant = @tenant AND key = @key AND value = @value AND thread_seq > @low AND thread_seq < @high
    ORDER BY thread_seq ${direction} LIMIT @max
  ) AS d
  LEFT JOIN threads AS t ON t.seq = d.thread_seq AND NOT EXISTS (
    SELECT 1 FROM json_each(@others) AS wanted WHERE NOT EXISTS (
      SELECT 1 FROM thread_metadata AS m
      WHERE m.tenant = @tenant AND m.key = wanted.key AND m.value = wanted.value AND m.thread_seq = d.thread_seq))
  ORDER BY d.thread_seq ${direction}`;

const now = () => Math.floor(Date.now() / 1000);

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
  <A extends unknown[], T>(read: (...args: A) => T | Promise<T>) =>
  async (...args: A): Promise<T> => {
    try {
      return await read(...args);
    } catch (error) {
      throw toStoreError(error);
    }
  };

export function openSqliteStore({
  path,
  synchronous = 'normal',
  lockWaitMs = SERVER_LOCK_WAIT_MS,
}: SqliteOptions): Store {
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
    hideThread: db.prepare<[string, string], { seq: number }>(
      `UPDATE threads SET tenant = '${PURGING_TENANT}', id = '${PURGING_TENANT}' || seq, metadata = '{}', tool_resources = '{}'
       WHERE id = ? AND tenant = ? RETURNING seq`,
    ),
    threadsToPurge: db
      .prepare<[], number>(`SELECT seq FROM threads WHERE tenant = '${PURGING_TENANT}' ORDER BY seq`)
      .pluck(),
    purgeMessages: db.prepare<[number, number]>(
      'DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE thread_seq = ? ORDER BY seq LIMIT ?)',
    ),
    /** Tombstone ids are unique per thread only: the thread's own are matched by (thread_seq, id). */
    purgeMessageTombstones: db.prepare<[number, number]>(
      'DELETE FROM deleted_messages WHERE (thread_seq, id) IN (SELECT thread_seq, id FROM deleted_messages WHERE thread_seq = ? LIMIT ?)',
    ),
    deletePurgedThread: db.prepare<[number]>(`DELETE FROM threads WHERE seq = ? AND tenant = '${PURGING_TENANT}'`),
    insertThreadTombstone: db.prepare<[string, string, number]>(
      'INSERT INTO deleted_threads (id, tenant, seq) VALUES (?, ?, ?)',
    ),
    threadCursorSeq: db.prepare<{ id: string; tenant: string }, { seq: number }>(
      `SELECT seq FROM threads WHERE id = @id AND tenant = @tenant
       UNION ALL SELECT seq FROM deleted_threads WHERE id = @id AND tenant = @tenant`,
    ),
    listThreadsAscending: db.prepare<ThreadRange, ThreadRow>(threadListSql('ASC')),
    listThreadsDescending: db.prepare<ThreadRange, ThreadRow>(threadListSql('DESC')),
    insertPair: db.prepare<[string, string, string, number]>(
      'INSERT INTO thread_metadata (tenant, key, value, thread_seq) VALUES (?, ?, ?, ?)',
    ),
    deletePairs: db.prepare<[number]>('DELETE FROM thread_metadata WHERE thread_seq = ?'),
    countPair: db
      .prepare<[string, string, string, number], number>(
        'SELECT count(*) FROM (SELECT 1 FROM thread_metadata WHERE tenant = ? AND key = ? AND value = ? LIMIT ?)',
      )
      .pluck(),
    scanPairAscending: db.prepare<PairScan, ThreadRow & { position: number }>(metadataScanSql('ASC')),
    scanPairDescending: db.prepare<PairScan, ThreadRow & { position: number }>(metadataScanSql('DESC')),
    threadsFrom: db.prepare<{ after: number; tenant: string | null; limit: number }, ThreadRow & { tenant: string }>(
      `SELECT seq, id, tenant, created_at, metadata, tool_resources FROM threads
       WHERE seq > @after AND (@tenant IS NULL OR tenant = @tenant) AND tenant <> '${PURGING_TENANT}'
       ORDER BY seq LIMIT @limit`,
    ),
    threadExists: db.prepare<[string], { seq: number }>('SELECT seq FROM threads WHERE id = ?'),
    importThread: db.prepare<[string, string, number, string, string], { seq: number }>(
      'INSERT INTO threads (id, tenant, created_at, metadata, tool_resources) VALUES (?, ?, ?, ?, ?) RETURNING seq',
    ),
    importItem: db.prepare<
      [
        string,
        number,
        number,
        string,
        string,
        string | null,
        string,
        string,
        string,
        string,
        string | null,
        number | null,
        number | null,
        string | null,
        string | null,
        string | null,
        string,
      ]
    >(
      `INSERT INTO messages (id, thread_seq, created_at, type, role, item, content, attachments, metadata, status,
         incomplete_details, completed_at, incomplete_at, assistant_id, run_id, thread_json, item_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    idempotencyRecord: db.prepare<
      [string, string],
      { fingerprint: string; response: string | null; thread_id: string; object_id: string; created_at: number }
    >(
      'SELECT fingerprint, response, thread_id, object_id, created_at FROM idempotency_keys WHERE tenant = ? AND key = ?',
    ),
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
    insertItem: db.prepare<
      [
        string,
        number,
        number,
        string,
        string,
        string | null,
        string,
        string,
        string,
        string,
        number | null,
        string | null,
        string,
      ]
    >(
      `INSERT INTO messages (id, thread_seq, created_at, type, role, item, content, attachments, metadata, status,
         completed_at, thread_json, item_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    /** One lookup for thread and item: the item by its id, then its thread by seq to check id and tenant. */
    item: db
      .prepare<[string, string, string, number], ItemRow>(
        `SELECT ${ITEM_COLUMNS.replace(/(\w+)/g, 'm.$1')} FROM messages m JOIN threads t ON t.seq = m.thread_seq
         WHERE m.id = ? AND t.id = ? AND t.tenant = ? AND (? OR ${THREAD_VIEW_SQL.replace(/(type|role)/g, 'm.$1')})`,
      )
      .raw(),
    itemJson: db
      .prepare<{ id: string; threadId: string; tenant: string; all: number }, string>(
        `SELECT ${VIEW_JSON.replace(/(\w+_json)/g, 'm.$1')} FROM messages m JOIN threads t ON t.seq = m.thread_seq
         WHERE m.id = @id AND t.id = @threadId AND t.tenant = @tenant AND (@all OR ${THREAD_VIEW_SQL.replace(/(type|role)/g, 'm.$1')})`,
      )
      .pluck(),
    setThreadJson: db.prepare<[string | null, number]>('UPDATE messages SET thread_json = ? WHERE seq = ?'),
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
    listAscending: db.prepare<ItemRange, ItemRow>(itemListSql('ASC', false)).raw(),
    listDescending: db.prepare<ItemRange, ItemRow>(itemListSql('DESC', false)).raw(),
    listRunAscending: db.prepare<ItemRange, ItemRow>(itemListSql('ASC', true)).raw(),
    listRunDescending: db.prepare<ItemRange, ItemRow>(itemListSql('DESC', true)).raw(),
    jsonAscending: db.prepare<ItemRange, JsonRow>(itemListSql('ASC', false, 'json')).raw(),
    jsonDescending: db.prepare<ItemRange, JsonRow>(itemListSql('DESC', false, 'json')).raw(),
    runJsonAscending: db.prepare<ItemRange, JsonRow>(itemListSql('ASC', true, 'json')).raw(),
    runJsonDescending: db.prepare<ItemRange, JsonRow>(itemListSql('DESC', true, 'json')).raw(),
    sizesAscending: db.prepare<ItemRange, number>(itemListSql('ASC', false, 'sizes')).pluck(),
    sizesDescending: db.prepare<ItemRange, number>(itemListSql('DESC', false, 'sizes')).pluck(),
    runSizesAscending: db.prepare<ItemRange, number>(itemListSql('ASC', true, 'sizes')).pluck(),
    runSizesDescending: db.prepare<ItemRange, number>(itemListSql('DESC', true, 'sizes')).pluck(),
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

  /** The thread's metadata pairs, for lists filtered by metadata. Written in the thread's transaction. */
  function indexMetadata(tenant: string, seq: number, metadata: Metadata) {
    for (const [key, value] of Object.entries(metadata)) sql.insertPair.run(tenant, key, value, seq);
  }

  const pairIndex = (tenant: string): PairIndex<ThreadRow> => ({
    count: ([key, value], cap) => sql.countPair.get(tenant, key, value, cap)!,
    scan: ([key, value], others, direction, low, high, max) => {
      const scan = direction === 'ASC' ? sql.scanPairAscending : sql.scanPairDescending;
      const params = { tenant, key, value, others: JSON.stringify(Object.fromEntries(others)), low, high, max };
      return scan.all(params).map((row) => ({ position: row.position, row: row.id === null ? null : row }));
    },
  });

  /**
   * Writes items after the thread's latest, in order; the records are built from what was written, so
   * nothing is read back or re-parsed. A supplied id must be free in the tenant.
   */
  function insertItems(
    tenant: string,
    thread: { seq: number; id: string },
    items: NewItem[],
    createdAt: number,
  ): ItemRecord[] {
    return items.map((item, index) => {
      if (item.id !== undefined && sql.itemIdTaken.get({ id: item.id, tenant })) throw itemIdTaken(index, item.id);
      const id = itemIdOf(item);
      const completedAt = item.status === 'completed' ? createdAt : null;
      const record: ItemRecord = {
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
      const json = itemJsonOf(record, thread.id);
      sql.insertItem.run(
        id,
        thread.seq,
        createdAt,
        item.type,
        item.role,
        item.item === null ? null : JSON.stringify(item.item),
        JSON.stringify(item.content),
        JSON.stringify(item.attachments),
        JSON.stringify(item.metadata),
        item.status,
        completedAt,
        json.thread,
        json.item,
      );
      return record;
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
      sql.recordIdempotency.run(
        tenant,
        idempotency.key,
        idempotency.fingerprint,
        JSON.stringify(response),
        thread_id,
        object_id,
        now(),
      );
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
    indexMetadata(tenant, seq, thread.metadata);
    insertItems(tenant, { seq, id }, thread.items, createdAt);
    sql.countInserted.run({ threads: 1, messages: thread.items.length });
    const created = toThread({ id, created_at: createdAt, metadata, tool_resources: toolResources });
    return recordResponse(tenant, idempotency, created, objectOf(created));
  });

  /** An items create's Idempotency-Key record follows its first item (the thread, when it wrote none). */
  const createItems = db.transaction(
    (tenant: string, threadId: string, items: NewItem[], idempotency?: IdempotencyKey) => {
      const recorded = recordedResponse(tenant, idempotency);
      if (recorded !== undefined) return JSON.parse(recorded) as ItemRecord[];
      const thread = threadSeq(tenant, threadId);
      if (thread === undefined) return undefined;
      const created = insertItems(tenant, { seq: thread, id: threadId }, items, now());
      sql.countInserted.run({ threads: 0, messages: created.length });
      return recordResponse(tenant, idempotency, created, {
        thread_id: threadId,
        object_id: created[0]?.id ?? threadId,
      });
    },
  );

  const deleteThread = db.transaction((tenant: string, threadId: string) => {
    const row = sql.hideThread.get(threadId, tenant);
    if (!row) return false;
    sql.insertThreadTombstone.run(threadId, tenant, row.seq);
    sql.deletePairs.run(row.seq);
    sql.neuterIdempotency.run(threadId, threadId, tenant);
    sql.forgetThreadMessagesIdempotency.run(threadId, threadId, tenant);
    return true;
  });

  /** Deletes a hidden thread's rows a few at a time for up to THREAD_PURGE_SLICE_MS; true once the thread is gone. */
  const purgeStep = db.transaction((seq: number) => {
    const started = performance.now();
    do {
      if (sql.purgeMessages.run(seq, THREAD_PURGE_BATCH).changes > 0) continue;
      if (sql.purgeMessageTombstones.run(seq, THREAD_PURGE_BATCH).changes > 0) continue;
      sql.deletePurgedThread.run(seq);
      return true;
    } while (performance.now() - started < THREAD_PURGE_SLICE_MS);
    return false;
  });

  // A failed step (the file locked by another process, say) is retried at the next delete or open.
  const purge = backgroundPurge(
    { pending: async () => sql.threadsToPurge.all(), step: (seq) => write(purgeStep, seq) },
    () => undefined,
  );
  purge.wake();

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
    indexMetadata(tenant, seq, thread.metadata);
    for (const m of items) {
      sql.clearItemTombstone.run(m.id, tenant);
      if (sql.itemIdTaken.get({ id: m.id, tenant })) throw importedIdTaken(m.id);
      const json = itemJsonOf(m, thread.id);
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
        json.thread,
        json.item,
      );
    }
    sql.countInserted.run({ threads: 1, messages: items.length });
    return true;
  });

  const updateThread = db.transaction((tenant: string, threadId: string, changes: ThreadChanges) => {
    const metadata = changes.metadata === undefined ? null : JSON.stringify(changes.metadata);
    const tools = changes.tool_resources === undefined ? null : JSON.stringify(changes.tool_resources);
    const row = sql.updateThread.get(metadata, tools, threadId, tenant);
    if (row && changes.metadata !== undefined) {
      sql.deletePairs.run(row.seq);
      indexMetadata(tenant, row.seq, changes.metadata);
    }
    return row && toThread(row);
  });

  /** The thread view's answer shows the metadata: it is rendered again with it. */
  const updateItem = db.transaction(
    (tenant: string, threadId: string, itemId: string, metadata: Metadata, view: ItemView) => {
      const thread = threadSeq(tenant, threadId);
      const row =
        thread === undefined
          ? undefined
          : sql.updateItemMetadata.get(JSON.stringify(metadata), itemId, thread, viewFlag(view));
      if (!row) return undefined;
      const record = toRecord(row);
      sql.setThreadJson.run(itemJsonOf(record, threadId).thread, row[0]);
      return record;
    },
  );

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

  /** A page of a thread's items, read as `shape`'s statements read them; undefined when the thread is not there. */
  async function pageOf<Row>(
    tenant: string,
    threadId: string,
    query: ListQuery,
    shape: Record<Direction, { list: Database.Statement<ItemRange, Row>; run: Database.Statement<ItemRange, Row> }>,
  ): Promise<Page<Row> | undefined> {
    const thread = threadSeq(tenant, threadId);
    if (thread === undefined) return undefined;
    const after = messageCursor('after', query.after, thread);
    const before = messageCursor('before', query.before, thread);
    const runId = query.run_id;
    const all = viewFlag(query.view);
    return readPage(query, after, before, (direction, low, high, limit) => {
      // The sizes first (from the row headers), so a page never reads content it will not send.
      const sizes = runId === undefined ? SIZES[direction] : RUN_SIZES[direction];
      const list = runId === undefined ? shape[direction].list : shape[direction].run;
      const found = sizes.all({ thread, runId, all, low, high, limit });
      const fit = rowsWithinBudget(found);
      return {
        rows: fit === 0 ? [] : list.all({ thread, runId, all, low, high, limit: fit }),
        cut: fit < found.length,
      };
    });
  }
  const SIZES = { ASC: sql.sizesAscending, DESC: sql.sizesDescending };
  const RUN_SIZES = { ASC: sql.runSizesAscending, DESC: sql.runSizesDescending };
  const RECORDS = {
    ASC: { list: sql.listAscending, run: sql.listRunAscending },
    DESC: { list: sql.listDescending, run: sql.listRunDescending },
  };
  const JSON_TEXT = {
    ASC: { list: sql.jsonAscending, run: sql.runJsonAscending },
    DESC: { list: sql.jsonDescending, run: sql.runJsonDescending },
  };

  async function listItems(tenant: string, threadId: string, query: ListQuery): Promise<ItemPage | undefined> {
    const page = await pageOf(tenant, threadId, query, RECORDS);
    return page && { data: page.data.map(toRecord), has_more: page.has_more };
  }

  async function listItemJson(tenant: string, threadId: string, query: ListQuery) {
    const page = await pageOf(tenant, threadId, query, JSON_TEXT);
    return page && { data: page.data.map(([id, json]) => ({ id, json })), has_more: page.has_more };
  }

  async function listThreads(tenant: string, query: ThreadListQuery): Promise<Page<ThreadObject>> {
    const after = threadCursor('after', query.after, tenant);
    const before = threadCursor('before', query.before, tenant);
    const filter = query.metadata ?? {};
    const page = await readPage(query, after, before, async (direction, low, high, limit) => {
      if (Object.keys(filter).length > 0)
        return whole(await walkFiltered(pairIndex(tenant), filter, direction, low, high, limit));
      return whole(
        (direction === 'ASC' ? sql.listThreadsAscending : sql.listThreadsDescending).all({ tenant, low, high, limit }),
      );
    });
    return { data: page.data.map(toThread), has_more: page.has_more };
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
      delete: async (tenant, threadId) => {
        const deleted = await write(deleteThread, tenant, threadId);
        if (deleted) purge.wake();
        return deleted;
      },
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
      getJson: guarded(
        (tenant, threadId, itemId, view) =>
          sql.itemJson.get({ id: itemId, threadId, tenant, all: viewFlag(view) }) ?? undefined,
      ),
      listJson: guarded(listItemJson),
    },
    purgeExpiredIdempotencyKeys: () => write(purgeExpired),
    stats: guarded(() => sql.stats.get()!),
    transfer: {
      threads: allThreads,
      importThread: (tenant, thread, items) => write(importThread, tenant, thread, items),
    },
    close: async () => {
      purging.stop();
      await purge.close();
      writes.flush();
      db.close();
    },
  };
}
