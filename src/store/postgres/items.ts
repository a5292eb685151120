import type pg from 'pg';
import type { ItemStatus } from '../records.js';
import { now } from '../engine/clock.js';
import { itemsOf, recordedItems } from '../engine/idempotency-records.js';
import { PAGE_BYTE_BUDGET } from '../engine/page-budget.js';
import { type Direction, finishPage, pagePlan, readPage, type Slice } from '../engine/read-page.js';
import type { ItemPage, ItemRecord, ItemView, ItemViews, ListQuery, NewItem, Store } from '../types.js';
import type { PostgresIdempotency, Queryable } from './idempotency.js';
import { SQL } from './statements/items.js';
import { guard, unstorable } from './store-errors.js';
import { MessagesLockedByRun, ThreadNotFound, UnknownCursor } from '../store-errors.js';
import { RUN_SQL } from './statements/runs.js';
import { inTransaction } from './transaction.js';
import { itemColumns, type ThreadRow } from './rows.js';

export interface ItemRow {
  id: string;
  created_at: number;
  type: string;
  role: string;
  item: string | null;
  content: string;
  attachments: string;
  metadata: string;
  status: ItemStatus;
  incomplete_details: string | null;
  completed_at: number | null;
  incomplete_at: number | null;
  assistant_id: string | null;
  run_id: string | null;
}

export function toRecord(row: ItemRow): ItemRecord {
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
 * Writes `items` after the thread's latest, in `db`'s transaction, with `at` as their time (the statement
 * item and run creates share); none when the thread is not the tenant's.
 */
export async function appendItems(
  db: Queryable,
  views: ItemViews,
  tenant: string,
  threadId: string,
  items: NewItem[],
  at: number,
): Promise<ItemRecord[]> {
  const columns = itemColumns(items, views);
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
    at,
  ]);
  return rows.sort((a, b) => a.position - b.position).map(({ position: _position, ...row }) => toRecord(row));
}

/** Up to `limit` items of a thread's range, within the page budget, in `db` (a pool, or a client in a transaction). */
async function itemSlice(
  db: Queryable,
  view: ItemView,
  direction: Direction,
  thread: number,
  runId: string | undefined,
  low: number,
  high: number,
  limit: number,
): Promise<Slice<ItemRow>> {
  const values = [thread, low, high, limit, PAGE_BYTE_BUDGET, ...(runId === undefined ? [] : [runId])];
  const { rows } = await db.query<ItemRow & { total: number }>(
    SQL.listItems(direction, runId !== undefined, view),
    values,
  );
  return { rows, cut: rows.length < (rows[0]?.total ?? 0) };
}

/** The thread's first `limit` messages in the thread view, oldest first, read in `db`'s transaction. */
export async function firstMessages(db: Queryable, thread: number, limit: number): Promise<ItemPage> {
  const page = await readPage({ limit, order: 'asc' }, undefined, undefined, (direction, low, high, asked) =>
    itemSlice(db, 'thread', direction, thread, undefined, low, high, asked),
  );
  return { data: page.data.map(toRecord), has_more: page.has_more };
}

/** A thread's items: created, read, changed and deleted inside their thread, which the tenant must own. */
export function postgresItems(
  pool: pg.Pool,
  { idempotent }: PostgresIdempotency,
  threadRow: (tenant: string, threadId: string) => Promise<ThreadRow | undefined>,
  views: ItemViews,
) {
  async function insertItems(db: Queryable, tenant: string, threadId: string, items: NewItem[]) {
    if (items.length === 0) {
      if (await threadRow(tenant, threadId)) return [];
      throw new ThreadNotFound(threadId);
    }
    const created = await appendItems(db, views, tenant, threadId, items, now());
    if (created.length === 0) throw new ThreadNotFound(threadId);
    return created;
  }

  /**
   * The thread's row locked (as a run create locks it), then checked for an unfinished run, then the items:
   * a run created meanwhile is seen, being committed before the lock was granted.
   */
  async function insertUnlessRunActive(client: pg.PoolClient, tenant: string, threadId: string, items: NewItem[]) {
    const thread = (await client.query<{ seq: number }>(RUN_SQL.lockThread, [threadId, tenant])).rows[0];
    if (!thread) throw new ThreadNotFound(threadId);
    const active = (await client.query<{ id: string }>(RUN_SQL.activeRun, [thread.seq])).rows[0];
    if (active) throw new MessagesLockedByRun(threadId, active.id);
    return insertItems(client, tenant, threadId, items);
  }

  async function messageCursor(param: 'after' | 'before', id: string | undefined, thread: number) {
    if (id === undefined) return undefined;
    const row = unstorable(id)
      ? undefined
      : (await pool.query<{ position: number }>(SQL.messageCursor, [id, thread])).rows[0];
    if (!row) throw new UnknownCursor(param, id);
    return row.position;
  }

  /**
   * One statement: the thread, both cursors and the page at once. Ids PostgreSQL cannot take as text
   * (a NUL) name nothing stored: such a list takes the path of a statement per step, which answers for them.
   */
  async function listItems(tenant: string, threadId: string, query: ListQuery): Promise<ItemPage> {
    if (unstorable(tenant, threadId)) throw new ThreadNotFound(threadId);
    if (unstorable(query.after, query.before, query.run_id)) return listItemsStepwise(tenant, threadId, query);
    const plan = pagePlan(query);
    const runId = query.run_id;
    const values = [
      threadId,
      tenant,
      query[plan.low] ?? null,
      query[plan.high] ?? null,
      plan.limit,
      PAGE_BYTE_BUDGET,
      ...(runId === undefined ? [] : [runId]),
    ];
    type PageRow = { low: number | null; high: number | null; total: number } & ItemRow;
    const { rows } = await pool.query<PageRow>(SQL.listPage(plan.direction, runId !== undefined, query.view), values);
    const found = rows[0];
    if (!found) throw new ThreadNotFound(threadId);
    // In the order the stepwise path checks them: `after` first.
    for (const param of ['after', 'before'] as const) {
      const position = plan.low === param ? found.low : found.high;
      if (query[param] !== undefined && position === null) throw new UnknownCursor(param, query[param]);
    }
    const page = found.id === null ? [] : rows;
    const { data, has_more } = finishPage(query, { rows: page, cut: page.length < (page[0]?.total ?? 0) });
    return { data: data.map(toRecord), has_more };
  }

  async function listItemsStepwise(tenant: string, threadId: string, query: ListQuery): Promise<ItemPage> {
    const thread = await threadRow(tenant, threadId);
    if (!thread) throw new ThreadNotFound(threadId);
    const after = await messageCursor('after', query.after, thread.seq);
    const before = await messageCursor('before', query.before, thread.seq);
    if (unstorable(query.run_id)) return { data: [], has_more: false };
    const runId = query.run_id;
    const page = await readPage(query, after, before, (direction, low, high, limit) =>
      itemSlice(pool, query.view, direction, thread.seq, runId, low, high, limit),
    );
    return { data: page.data.map(toRecord), has_more: page.has_more };
  }

  /**
   * Ids PostgreSQL cannot take as text (a NUL) name nothing stored: true when the item's id is such a one
   * (in a thread that is there); ThreadNotFound when the thread's id or the tenant is.
   */
  async function unstorableLookup(tenant: string, threadId: string, itemId: string) {
    if (unstorable(tenant, threadId)) throw new ThreadNotFound(threadId);
    if (!unstorable(itemId)) return false;
    if (!(await threadRow(tenant, threadId))) throw new ThreadNotFound(threadId);
    return true;
  }

  /** No row: no thread; a row of nulls: no item. */
  type NullableRow = { [Column in keyof ItemRow]: ItemRow[Column] | null };
  function recordOf(threadId: string, row: NullableRow | undefined) {
    if (!row) throw new ThreadNotFound(threadId);
    return row.id === null ? undefined : toRecord(row as ItemRow);
  }

  async function getItem(tenant: string, threadId: string, itemId: string, view: ItemView) {
    if (await unstorableLookup(tenant, threadId, itemId)) return undefined;
    const values = [threadId, tenant, itemId, view === 'all'];
    return recordOf(threadId, (await pool.query<NullableRow>(SQL.itemById, values)).rows[0]);
  }

  const store: Store['items'] = {
    create: guard(async (tenant, threadId, items, idempotency, options) => {
      if (unstorable(tenant, threadId)) throw new ThreadNotFound(threadId);
      const locked = (client: pg.PoolClient) => insertUnlessRunActive(client, tenant, threadId, items);
      return idempotent(tenant, idempotency, {
        items,
        write: (db) => {
          if (!options?.lockedByRun) return insertItems(db, tenant, threadId, items);
          // Without a key or supplied ids `idempotent` hands the pool: the check needs a transaction then.
          return db === pool ? inTransaction(pool, locked) : locked(db as pg.PoolClient);
        },
        // An items create's Idempotency-Key record follows every item it wrote (the thread, when it wrote none).
        objectOf: (created) => itemsOf(threadId, created),
        replayed: recordedItems,
      });
    }),
    get: guard(getItem),
    update: guard(async (tenant, threadId, itemId, metadata, view) => {
      if (await unstorableLookup(tenant, threadId, itemId)) return undefined;
      const values = [threadId, tenant, itemId, JSON.stringify(metadata), view === 'all'];
      return recordOf(threadId, (await pool.query<NullableRow>(SQL.updateItemMetadata, values)).rows[0]);
    }),
    delete: guard(async (tenant, threadId, itemId, view) => {
      if (await unstorableLookup(tenant, threadId, itemId)) return false;
      const values = [threadId, tenant, itemId, view === 'all'];
      const row = (await pool.query<{ deleted: boolean }>(SQL.deleteItem, values)).rows[0];
      if (!row) throw new ThreadNotFound(threadId);
      return row.deleted;
    }),
    list: guard(listItems),
    // Not stored on this engine: rendered from the records.
    getJson: guard(async (tenant, threadId, itemId, view: ItemView) => {
      const record = await getItem(tenant, threadId, itemId, view);
      return record && views.answer(record, threadId, view);
    }),
    listJson: guard(async (tenant, threadId, query) => {
      const page = await listItems(tenant, threadId, query);
      const json = (record: ItemRecord) => ({ id: record.id, json: views.answer(record, threadId, query.view) });
      return { data: page.data.map(json), has_more: page.has_more };
    }),
  };
  return store;
}
