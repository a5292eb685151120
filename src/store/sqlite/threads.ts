import type Database from 'better-sqlite3';
import { newId } from '../../ids.js';
import type { ThreadRecord } from '../records.js';
import { now } from '../engine/clock.js';
import { objectOf } from '../engine/idempotency-records.js';
import { type PairIndex, walkFiltered } from '../engine/metadata-walk.js';
import { type Direction, readPage, whole } from '../engine/read-page.js';
import { PURGING_TENANT } from '../engine/thread-purge.js';
import { toThread } from '../engine/thread-row.js';
import { UnknownThreadCursor } from '../store-errors.js';
import type { IdempotencyKey, Metadata, NewThread, Page, Store, ThreadChanges, ThreadListQuery } from '../types.js';
import type { Write } from './group-commit.js';
import type { SqliteIdempotency } from './idempotency.js';
import type { sqliteItems } from './items.js';
import type { RowCounts } from './row-counts.js';
import { guarded } from './store-errors.js';

interface ThreadRow {
  seq: number;
  id: string;
  created_at: number;
  metadata: string;
  tool_resources: string;
}

interface ThreadRange {
  tenant: string;
  low: number;
  high: number;
  limit: number;
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

interface ThreadParts {
  write: Write;
  idempotency: SqliteIdempotency;
  counts: RowCounts;
  items: ReturnType<typeof sqliteItems>;
  /** Called after a delete has hidden a thread: its rows are purged in the background (purge.ts). */
  deleted(): void;
}

/** A tenant's threads, the index of their metadata pairs, and their deletes (a tombstone, the rows hidden). */
export function sqliteThreads(db: Database.Database, { write, idempotency, counts, items, deleted }: ThreadParts) {
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
    hideThread: db.prepare<[string, string], { seq: number }>(
      `UPDATE threads SET tenant = '${PURGING_TENANT}', id = '${PURGING_TENANT}' || seq, metadata = '{}', tool_resources = '{}'
       WHERE id = ? AND tenant = ? RETURNING seq`,
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
  };

  /** The thread's metadata pairs, for lists filtered by metadata. Written in the thread's transaction. */
  function indexMetadata(tenant: string, seq: number, metadata: Metadata) {
    for (const [key, value] of Object.entries(metadata)) sql.insertPair.run(tenant, key, value, seq);
  }

  /** Writes a thread row and its metadata pairs; its seq. */
  function insertThread(tenant: string, thread: ThreadRecord): number {
    const metadata = JSON.stringify(thread.metadata);
    const toolResources = JSON.stringify(thread.tool_resources);
    const { seq } = sql.insertThread.get(thread.id, tenant, thread.created_at, metadata, toolResources)!;
    indexMetadata(tenant, seq, thread.metadata);
    return seq;
  }

  const pairIndex = (tenant: string): PairIndex<ThreadRow> => ({
    count: ([key, value], cap) => sql.countPair.get(tenant, key, value, cap)!,
    scan: ([key, value], others, direction, low, high, max) => {
      const scan = direction === 'ASC' ? sql.scanPairAscending : sql.scanPairDescending;
      const params = { tenant, key, value, others: JSON.stringify(Object.fromEntries(others)), low, high, max };
      return scan.all(params).map((row) => ({ position: row.position, row: row.id === null ? null : row }));
    },
  });

  // Writes that make several changes are transactions, which run as savepoints inside a group commit;
  // the others make one change each, atomic on its own.
  const createThread = db.transaction((tenant: string, thread: NewThread, key?: IdempotencyKey) => {
    const recorded = idempotency.recorded(tenant, key);
    if (recorded !== undefined) return JSON.parse(recorded) as ThreadRecord;
    const created: ThreadRecord = {
      id: thread.id ?? newId('thread'),
      object: 'thread',
      created_at: now(),
      tool_resources: thread.tool_resources,
      metadata: thread.metadata,
    };
    const seq = insertThread(tenant, created);
    items.insertItems(tenant, { seq, id: created.id }, thread.items, created.created_at);
    counts.added(1, thread.items.length);
    return idempotency.record(tenant, key, created, objectOf(created));
  });

  const deleteThread = db.transaction((tenant: string, threadId: string) => {
    const row = sql.hideThread.get(threadId, tenant);
    if (!row) return false;
    sql.insertThreadTombstone.run(threadId, tenant, row.seq);
    sql.deletePairs.run(row.seq);
    idempotency.forgetThread(tenant, threadId);
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

  function threadCursor(param: 'after' | 'before', id: string | undefined, tenant: string): number | undefined {
    if (id === undefined) return undefined;
    const row = sql.threadCursorSeq.get({ id, tenant });
    if (!row) throw new UnknownThreadCursor(param, id);
    return row.seq;
  }

  async function listThreads(tenant: string, query: ThreadListQuery): Promise<Page<ThreadRecord>> {
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

  const store: Store['threads'] = {
    create: (tenant, thread, key) => write(createThread, tenant, thread, key),
    get: guarded(async (tenant: string, threadId: string) => {
      const row = sql.threadById.get(threadId, tenant);
      return row && toThread(row);
    }),
    update: (tenant, threadId, changes) => write(updateThread, tenant, threadId, changes),
    delete: async (tenant, threadId) => {
      const hidden = await write(deleteThread, tenant, threadId);
      if (hidden) deleted();
      return hidden;
    },
    list: guarded(listThreads),
  };
  return { store, insertThread };
}
