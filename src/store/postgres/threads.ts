import type pg from 'pg';
import { newId } from '../../ids.js';
import type { ThreadRecord } from '../records.js';
import { now } from '../engine/clock.js';
import { objectOf } from '../engine/idempotency-records.js';
import { type PairIndex, walkFiltered } from '../engine/metadata-walk.js';
import { type Direction, readPage, whole } from '../engine/read-page.js';
import { toThread } from '../engine/thread-row.js';
import { UnknownThreadCursor } from '../store-errors.js';
import type { ItemViews, NewThread, Page, Store, ThreadListQuery } from '../types.js';
import type { PostgresIdempotency, Queryable } from './idempotency.js';
import { itemColumns, pairArrays, type ThreadRow } from './rows.js';
import { SQL } from './statements/threads.js';
import { guard, unstorable } from './store-errors.js';

/** A tenant's threads, the index of their metadata pairs, and their deletes (a tombstone, the rows hidden). */
export function postgresThreads(
  pool: pg.Pool,
  { idempotent }: PostgresIdempotency,
  views: ItemViews,
  deleted: () => void,
) {
  const threadRow = async (tenant: string, threadId: string) => {
    if (unstorable(tenant, threadId)) return undefined;
    return (await pool.query<ThreadRow>(SQL.threadById, [threadId, tenant])).rows[0];
  };

  async function insertThread(db: Queryable, tenant: string, thread: NewThread): Promise<ThreadRecord> {
    const id = thread.id ?? newId('thread');
    const metadata = JSON.stringify(thread.metadata);
    const toolResources = JSON.stringify(thread.tool_resources);
    const items = itemColumns(thread.items, views);
    const { rows } = await db.query<{ seq: number; created_at: number }>(SQL.createThread, [
      id,
      tenant,
      metadata,
      toolResources,
      items.ids,
      items.roles,
      items.contents,
      items.attachments,
      items.metadata,
      now(),
      items.types,
      items.bodies,
      items.statuses,
      ...pairArrays(thread.metadata),
    ]);
    const { created_at } = rows[0]!;
    return toThread({ id, created_at, metadata, tool_resources: toolResources });
  }

  async function threadCursor(param: 'after' | 'before', id: string | undefined, tenant: string) {
    if (id === undefined) return undefined;
    const row = unstorable(id, tenant)
      ? undefined
      : (await pool.query<{ position: number }>(SQL.threadCursor, [id, tenant])).rows[0];
    if (!row) throw new UnknownThreadCursor(param, id);
    return row.position;
  }

  const pairIndex = (tenant: string): PairIndex<ThreadRow> => ({
    count: async ([key, value], cap) => {
      const { rows } = await pool.query<{ n: number }>(SQL.countPair, [
        tenant,
        JSON.stringify(key),
        JSON.stringify(value),
        cap,
      ]);
      return rows[0]!.n;
    },
    scan: async ([key, value], others, direction, low, high, max) => {
      const [keys, values] = pairArrays(Object.fromEntries(others));
      const params = [tenant, JSON.stringify(key), JSON.stringify(value), low, high, max, keys, values];
      const { rows } = await pool.query<ThreadRow & { candidate: number }>(SQL.scanPair(direction), params);
      return rows.map((row) => ({ position: row.candidate, row: row.id === null ? null : row }));
    },
  });

  /** A tenant's threads by position; with a metadata filter, through the index of pairs (metadata-walk.ts). */
  async function listThreads(tenant: string, query: ThreadListQuery): Promise<Page<ThreadRecord>> {
    const after = await threadCursor('after', query.after, tenant);
    const before = await threadCursor('before', query.before, tenant);
    const filter = query.metadata ?? {};
    const page = await readPage(query, after, before, async (direction: Direction, low, high, limit) => {
      if (Object.keys(filter).length > 0) {
        if (unstorable(tenant)) return whole([]);
        return whole(await walkFiltered(pairIndex(tenant), filter, direction, low, high, limit));
      }
      return whole((await pool.query<ThreadRow>(SQL.listThreads(direction), [tenant, low, high, limit])).rows);
    });
    return { data: page.data.map(toThread), has_more: page.has_more };
  }

  const store: Store['threads'] = {
    create: guard(async (tenant, thread, idempotency) => {
      const create = {
        items: thread.items,
        write: (db: Queryable) => insertThread(db, tenant, thread),
        objectOf,
        replayed: (response: string) => JSON.parse(response) as ThreadRecord,
      };
      return (await idempotent(tenant, idempotency, create))!;
    }),
    get: guard(async (tenant, threadId) => {
      const row = await threadRow(tenant, threadId);
      return row && toThread(row);
    }),
    update: guard(async (tenant, threadId, changes) => {
      if (unstorable(tenant, threadId)) return undefined;
      const metadata = changes.metadata === undefined ? null : JSON.stringify(changes.metadata);
      const tools = changes.tool_resources === undefined ? null : JSON.stringify(changes.tool_resources);
      const values = [metadata, tools, threadId, tenant, ...pairArrays(changes.metadata ?? {})];
      const row = (await pool.query<ThreadRow>(SQL.updateThread, values)).rows[0];
      return row && toThread(row);
    }),
    delete: guard(async (tenant, threadId) => {
      if (unstorable(tenant, threadId)) return false;
      const hidden = ((await pool.query(SQL.deleteThread, [threadId, tenant])).rowCount ?? 0) > 0;
      if (hidden) deleted();
      return hidden;
    }),
    list: guard(listThreads),
  };
  return { store, threadRow };
}
