import type pg from 'pg';
import { jsonInView } from '../../views/response-json.js';
import {
  idempotencyConflict,
  importedIdTaken,
  itemIdTaken,
  storeCannotWrite,
  storeUnavailable,
  unknownCursor,
  unknownThreadCursor,
} from '../../errors.js';
import { newId } from '../../ids.js';
import type { MessageObject } from '../../schemas/messages.js';
import type { ThreadObject } from '../../schemas/threads.js';
import type {
  IdempotencyKey,
  ItemPage,
  ItemRecord,
  ListQuery,
  Metadata,
  NewItem,
  NewThread,
  Page,
  Store,
  StoredThread,
  ThreadListQuery,
} from '../types.js';
import { type PairIndex, walkFiltered } from '../metadata-walk.js';
import { PAGE_BYTE_BUDGET } from '../page-budget.js';
import { type Direction, finishPage, pagePlan, readPage, whole } from '../read-page.js';
import { backgroundPurge } from '../thread-purge.js';
import {
  createClient,
  createPool,
  isSaturated,
  isUnavailable,
  waitForDatabase,
  type PostgresOptions,
} from './connection.js';
import { migrate } from './migrate.js';
import { SQL } from './statements.js';
import { toThread } from '../thread-row.js';
import { itemIdOf } from '../item-row.js';
import { deletedObject, objectOf, PURGE_BATCH, purgeExpiredPeriodically } from '../idempotency-records.js';

interface ThreadRow {
  seq: number;
  id: string;
  position: number;
  created_at: number;
  metadata: string;
  tool_resources: string;
}

interface ItemRow {
  id: string;
  created_at: number;
  type: string;
  role: string;
  item: string | null;
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

const now = () => Math.floor(Date.now() / 1000);

/** Messages (or their tombstones) a purge step deletes in one statement. */
const THREAD_PURGE_BATCH = 1000;

/** A thread's metadata pairs for the index, JSON-encoded (PostgreSQL's text cannot hold U+0000): keys, values. */
function pairArrays(metadata: Metadata): [string[], string[]] {
  const entries = Object.entries(metadata);
  return [entries.map(([key]) => JSON.stringify(key)), entries.map(([, value]) => JSON.stringify(value))];
}

function toRecord(row: ItemRow): ItemRecord {
  return {
    id: row.id,
    created_at: row.created_at,
    type: row.type,
    role: row.role,
    item: row.item === null ? null : JSON.parse(row.item),
    content: JSON.parse(row.content),
    status: row.status,
    incomplete_details: row.incomplete_details === null ? null : JSON.parse(row.incomplete_details),
    completed_at: row.completed_at,
    incomplete_at: row.incomplete_at,
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
      throw toStoreError(error);
    }
  };
}

/** SQLSTATE disk_full: PostgreSQL could not extend a file; reads still answer. */
const DISK_FULL = '53100';

function toStoreError(error: unknown): unknown {
  const full = (error as { code?: unknown }).code === DISK_FULL;
  if (!full && !isUnavailable(error)) return error;
  const unavailable = full ? storeCannotWrite("the database server's disk is full") : storeUnavailable();
  unavailable.cause = error;
  return unavailable;
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

  /**
   * Runs a create in a transaction of its own when it carries an Idempotency-Key (the first response is
   * recorded with the object, and answered again for the same key and request) or supplies item ids
   * (each must be free in the tenant: checked under a lock on tenant and id, so concurrent writes take turns).
   */
  async function idempotent<T>(
    tenant: string,
    idempotency: IdempotencyKey | undefined,
    items: NewItem[],
    create: (db: pg.Pool | pg.PoolClient) => Promise<T | undefined>,
    objectFor: (response: T) => { thread_id: string; object_id: string },
  ): Promise<T | undefined> {
    const supplied = items.some((item) => item.id !== undefined);
    if (!idempotency && !supplied) return create(pool);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      let recorded: { fingerprint: string; response: string | null; thread_id: string; object_id: string } | undefined;
      if (idempotency) {
        await client.query(SQL.lockIdempotencyKey, [tenant, idempotency.key]);
        recorded = (
          await client.query<{ fingerprint: string; response: string | null; thread_id: string; object_id: string }>(
            SQL.idempotencyRecord,
            [tenant, idempotency.key, now()],
          )
        ).rows[0];
        if (recorded && recorded.fingerprint !== idempotency.fingerprint) throw idempotencyConflict();
        if (recorded && recorded.response === null) throw deletedObject(recorded);
      }
      if (!recorded) await checkSuppliedIds(client, tenant, items);
      const response = recorded ? (JSON.parse(recorded.response!) as T) : await create(client);
      if (idempotency && !recorded && response !== undefined) {
        const { thread_id, object_id } = objectFor(response);
        const values = [
          tenant,
          idempotency.key,
          idempotency.fingerprint,
          JSON.stringify(response),
          thread_id,
          object_id,
          now(),
        ];
        await client.query(SQL.recordIdempotency, values);
      }
      await client.query('COMMIT');
      return response;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async function checkSuppliedIds(client: pg.PoolClient, tenant: string, items: NewItem[]) {
    const seen = new Set<string>();
    for (const [index, { id }] of items.entries()) {
      if (id === undefined) continue;
      if (!unstorable(id)) await client.query(SQL.lockItemId, [tenant, id]);
      const taken =
        seen.has(id) || (!unstorable(id) && ((await client.query(SQL.itemIdTaken, [id, tenant])).rowCount ?? 0) > 0);
      if (taken) throw itemIdTaken(index, id);
      seen.add(id);
    }
  }

  /** The columns of new items as arrays, for the statements that unnest them. */
  const itemColumns = (items: NewItem[]) => ({
    ids: items.map(itemIdOf),
    types: items.map((item) => item.type),
    roles: items.map((item) => item.role),
    bodies: items.map((item) => (item.item === null ? null : JSON.stringify(item.item))),
    contents: items.map((item) => JSON.stringify(item.content)),
    attachments: items.map((item) => JSON.stringify(item.attachments)),
    metadata: items.map((item) => JSON.stringify(item.metadata)),
    statuses: items.map((item) => item.status),
  });

  async function insertThread(db: pg.Pool | pg.PoolClient, tenant: string, thread: NewThread): Promise<ThreadObject> {
    const id = thread.id ?? newId('thread');
    const metadata = JSON.stringify(thread.metadata);
    const toolResources = JSON.stringify(thread.tool_resources);
    const items = itemColumns(thread.items);
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

  async function insertItems(db: pg.Pool | pg.PoolClient, tenant: string, threadId: string, items: NewItem[]) {
    if (items.length === 0) return (await threadRow(tenant, threadId)) ? [] : undefined;
    const columns = itemColumns(items);
    const { rows } = await db.query<ItemRow & { position: number }>(SQL.createItems, [
      threadId,
      tenant,
      columns.ids,
      columns.types,
      columns.roles,
      columns.bodies,
      columns.contents,
      columns.attachments,
      columns.metadata,
      columns.statuses,
      now(),
    ]);
    if (rows.length === 0) return undefined;
    return rows.sort((a, b) => a.position - b.position).map(({ position: _position, ...row }) => toRecord(row));
  }

  async function messageCursor(param: 'after' | 'before', id: string | undefined, thread: number) {
    if (id === undefined) return undefined;
    const row = unstorable(id)
      ? undefined
      : (await pool.query<{ position: number }>(SQL.messageCursor, [id, thread])).rows[0];
    if (!row) throw unknownCursor(param, id);
    return row.position;
  }

  async function threadCursor(param: 'after' | 'before', id: string | undefined, tenant: string) {
    if (id === undefined) return undefined;
    const row = unstorable(id, tenant)
      ? undefined
      : (await pool.query<{ position: number }>(SQL.threadCursor, [id, tenant])).rows[0];
    if (!row) throw unknownThreadCursor(param, id);
    return row.position;
  }

  /**
   * One statement: the thread, both cursors and the page at once. Ids PostgreSQL cannot take as text
   * (a NUL) name nothing stored: such a list takes the path of a statement per step, which answers for them.
   */
  async function listItems(tenant: string, threadId: string, query: ListQuery): Promise<ItemPage | undefined> {
    if (unstorable(tenant, threadId)) return undefined;
    if (unstorable(query.after, query.before, query.run_id)) return listItemsStepwise(tenant, threadId, query);
    const plan = pagePlan(query);
    const runId = query.run_id;
    const cursors = { low: query[plan.low], high: query[plan.high] };
    const values = [
      threadId,
      tenant,
      cursors.low ?? null,
      cursors.high ?? null,
      plan.limit,
      PAGE_BYTE_BUDGET,
      query.view === 'all',
      ...(runId === undefined ? [] : [runId]),
    ];
    type PageRow = { low: number | null; high: number | null; total: number } & Partial<ItemRow>;
    const { rows } = await pool.query<PageRow>(SQL.listPage(plan.direction, runId !== undefined), values);
    const found = rows[0];
    if (!found) return undefined;
    // As the stepwise path checks them: `after` first.
    const side = (param: 'after' | 'before') => (plan.low === param ? 'low' : 'high');
    for (const param of ['after', 'before'] as const) {
      if (query[param] !== undefined && found[side(param)] === null) throw unknownCursor(param, query[param]);
    }
    const page = found.id === null ? [] : (rows as unknown as (ItemRow & { total: number })[]);
    const { data, has_more } = finishPage(query, { rows: page, cut: page.length < (page[0]?.total ?? 0) });
    return { data: data.map(toRecord), has_more };
  }

  async function listItemsStepwise(tenant: string, threadId: string, query: ListQuery): Promise<ItemPage | undefined> {
    const thread = await threadRow(tenant, threadId);
    if (!thread) return undefined;
    const after = await messageCursor('after', query.after, thread.seq);
    const before = await messageCursor('before', query.before, thread.seq);
    if (unstorable(query.run_id)) return { data: [], has_more: false };
    const runId = query.run_id;
    const page = await readPage(query, after, before, async (direction, low, high, limit) => {
      const values = [
        thread.seq,
        low,
        high,
        limit,
        PAGE_BYTE_BUDGET,
        query.view === 'all',
        ...(runId === undefined ? [] : [runId]),
      ];
      const { rows } = await pool.query<ItemRow & { total: number }>(
        SQL.listItems(direction, runId !== undefined),
        values,
      );
      return { rows, cut: rows.length < (rows[0]?.total ?? 0) };
    });
    return { data: page.data.map(toRecord), has_more: page.has_more };
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
  async function listThreads(tenant: string, query: ThreadListQuery): Promise<Page<ThreadObject>> {
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

  /** One statement per step: messages first, then their tombstones, then the thread row. */
  async function purgeStep(seq: number): Promise<boolean> {
    if (((await pool.query(SQL.purgeMessages, [seq, THREAD_PURGE_BATCH])).rowCount ?? 0) > 0) return false;
    if (((await pool.query(SQL.purgeMessageTombstones, [seq, THREAD_PURGE_BATCH])).rowCount ?? 0) > 0) return false;
    await pool.query(SQL.deletePurgedThread, [seq]);
    return true;
  }

  // A failed step (the database away) is retried at the next delete or start.
  const purge = backgroundPurge(
    {
      pending: async () => (await pool.query<{ seq: number }>(SQL.threadsToPurge)).rows.map((row) => row.seq),
      step: purgeStep,
    },
    (error) =>
      options.log?.warn({ err: error }, 'purging deleted threads stopped; it resumes at the next delete or start'),
  );
  purge.wake();

  const purgeExpired = guard(async () => (await pool.query(SQL.purgeIdempotency, [now(), PURGE_BATCH])).rowCount ?? 0);
  const purging = purgeExpiredPeriodically(purgeExpired);

  async function* allThreads(tenant?: string): AsyncIterable<StoredThread> {
    let after = 0;
    for (;;) {
      const query = pool.query<ThreadRow & { tenant: string }>(SQL.threadsFrom, [after, tenant ?? null, 500]);
      const rows = (await query.catch((error) => Promise.reject(toStoreError(error)))).rows;
      for (const row of rows) yield { tenant: row.tenant, thread: toThread(row) };
      if (rows.length < 500) return;
      after = rows[rows.length - 1]!.seq;
    }
  }

  async function importThread(tenant: string, thread: ThreadObject, messages: ItemRecord[]): Promise<boolean> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query<{ seq: number; position: number }>(SQL.importThread, [
        thread.id,
        tenant,
        thread.created_at,
        JSON.stringify(thread.metadata),
        JSON.stringify(thread.tool_resources),
        messages.length,
        messages.reduce((latest, m) => Math.max(latest, m.created_at), thread.created_at),
      ]);
      const seq = inserted.rows[0]?.seq;
      if (seq !== undefined) {
        await client.query(SQL.clearTombstones, [thread.id, messages.map((m) => m.id), tenant]);
        await client.query(SQL.insertPairs, [tenant, inserted.rows[0]!.position, seq, ...pairArrays(thread.metadata)]);
        const ids = messages.map((m) => m.id);
        const seen = new Set<string>();
        const repeated = ids.find((id) => seen.has(id) || !seen.add(id));
        const taken = (await client.query<{ id: string }>(SQL.itemIdsTaken, [tenant, ids])).rows[0]?.id ?? repeated;
        if (taken !== undefined) throw importedIdTaken(taken);
        await client.query(SQL.importItems, [
          seq,
          messages.map((m) => m.id),
          messages.map((m) => m.created_at),
          messages.map((m) => m.role),
          messages.map((m) => JSON.stringify(m.content)),
          messages.map((m) => JSON.stringify(m.attachments)),
          messages.map((m) => JSON.stringify(m.metadata)),
          messages.map((m) => m.status),
          messages.map((m) => (m.incomplete_details === null ? null : JSON.stringify(m.incomplete_details))),
          messages.map((m) => m.completed_at),
          messages.map((m) => m.incomplete_at),
          messages.map((m) => m.assistant_id),
          messages.map((m) => m.run_id),
          messages.map((m) => m.type),
          messages.map((m) => (m.item === null ? null : JSON.stringify(m.item))),
        ]);
      }
      await client.query('COMMIT');
      return seq !== undefined;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  return {
    threads: {
      create: guard(
        async (tenant, thread, idempotency) =>
          (await idempotent(tenant, idempotency, thread.items, (db) => insertThread(db, tenant, thread), objectOf))!,
      ),
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
        const deleted = ((await pool.query(SQL.deleteThread, [threadId, tenant])).rowCount ?? 0) > 0;
        if (deleted) purge.wake();
        return deleted;
      }),
      list: guard(listThreads),
    },
    items: {
      create: guard(async (tenant, threadId, items, idempotency) => {
        if (unstorable(tenant, threadId)) return undefined;
        // An items create's Idempotency-Key record follows its first item (the thread, when it wrote none).
        const objectFor = (created: ItemRecord[]) => ({ thread_id: threadId, object_id: created[0]?.id ?? threadId });
        return idempotent(tenant, idempotency, items, (db) => insertItems(db, tenant, threadId, items), objectFor);
      }),
      get: guard(async (tenant, threadId, itemId, view) => {
        if (unstorable(tenant, threadId, itemId)) return undefined;
        const row = (await pool.query<ItemRow>(SQL.itemById, [threadId, tenant, itemId, view === 'all'])).rows[0];
        return row && toRecord(row);
      }),
      update: guard(async (tenant, threadId, itemId, metadata, view) => {
        if (unstorable(tenant, threadId, itemId)) return undefined;
        const values = [threadId, tenant, itemId, JSON.stringify(metadata), view === 'all'];
        const row = (await pool.query<ItemRow>(SQL.updateItemMetadata, values)).rows[0];
        return row && toRecord(row);
      }),
      delete: guard(async (tenant, threadId, itemId, view) => {
        if (unstorable(tenant, threadId, itemId)) return false;
        return ((await pool.query(SQL.deleteItem, [threadId, tenant, itemId, view === 'all'])).rowCount ?? 0) > 0;
      }),
      list: guard(listItems),
      // Not stored on this engine: rendered from the records.
      getJson: guard(async (tenant, threadId, itemId, view) => {
        if (unstorable(tenant, threadId, itemId)) return undefined;
        const row = (await pool.query<ItemRow>(SQL.itemById, [threadId, tenant, itemId, view === 'all'])).rows[0];
        return row && jsonInView(toRecord(row), threadId, view);
      }),
      listJson: guard(async (tenant, threadId, query) => {
        const page = await listItems(tenant, threadId, query);
        const json = (record: ItemRecord) => ({ id: record.id, json: jsonInView(record, threadId, query.view) });
        return page && { data: page.data.map(json), has_more: page.has_more };
      }),
    },
    purgeExpiredIdempotencyKeys: purgeExpired,
    stats: guard(async () => (await pool.query<{ threads: number; messages: number }>(SQL.stats)).rows[0]!),
    transfer: {
      threads: allThreads,
      importThread: guard(importThread),
    },
    saturated: () => isSaturated(pool, options),
    close: async () => {
      purging.stop();
      await purge.close();
      await pool.end();
    },
  };
}
