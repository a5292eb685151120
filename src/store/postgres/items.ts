import type pg from 'pg';
import { unknownCursor } from '../../errors.js';
import type { MessageObject } from '../../schemas/messages.js';
import { now } from '../engine/clock.js';
import { recordedItems } from '../engine/idempotency-records.js';
import { itemIdOf } from '../engine/item-row.js';
import { PAGE_BYTE_BUDGET } from '../engine/page-budget.js';
import { finishPage, pagePlan, readPage } from '../engine/read-page.js';
import type { ItemPage, ItemRecord, ItemView, ListQuery, NewItem, Store } from '../types.js';
import type { PostgresIdempotency, Queryable } from './idempotency.js';
import { SQL } from './statements.js';
import { guard, unstorable } from './store-errors.js';
import { jsonInView } from '../../views/response-json.js';
import type { ThreadRow } from './threads.js';

export interface ItemRow {
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

/** The columns of new items as arrays, for the statements that unnest them. */
export const itemColumns = (items: NewItem[]) => ({
  ids: items.map(itemIdOf),
  types: items.map((item) => item.type),
  roles: items.map((item) => item.role),
  bodies: items.map((item) => (item.item === null ? null : JSON.stringify(item.item))),
  contents: items.map((item) => JSON.stringify(item.content)),
  attachments: items.map((item) => JSON.stringify(item.attachments)),
  metadata: items.map((item) => JSON.stringify(item.metadata)),
  statuses: items.map((item) => item.status),
});

/** A thread's items: created, read, changed and deleted inside their thread, which the tenant must own. */
export function postgresItems(
  pool: pg.Pool,
  { idempotent }: PostgresIdempotency,
  threadRow: (tenant: string, threadId: string) => Promise<ThreadRow | undefined>,
) {
  async function insertItems(db: Queryable, tenant: string, threadId: string, items: NewItem[]) {
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

  /**
   * One statement: the thread, both cursors and the page at once. Ids PostgreSQL cannot take as text
   * (a NUL) name nothing stored: such a list takes the path of a statement per step, which answers for them.
   */
  async function listItems(tenant: string, threadId: string, query: ListQuery): Promise<ItemPage | undefined> {
    if (unstorable(tenant, threadId)) return undefined;
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
      query.view === 'all',
      ...(runId === undefined ? [] : [runId]),
    ];
    type PageRow = { low: number | null; high: number | null; total: number } & ItemRow;
    const { rows } = await pool.query<PageRow>(SQL.listPage(plan.direction, runId !== undefined), values);
    const found = rows[0];
    if (!found) return undefined;
    // In the order the stepwise path checks them: `after` first.
    for (const param of ['after', 'before'] as const) {
      const position = plan.low === param ? found.low : found.high;
      if (query[param] !== undefined && position === null) throw unknownCursor(param, query[param]);
    }
    const page = found.id === null ? [] : rows;
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

  const store: Store['items'] = {
    create: guard(async (tenant, threadId, items, idempotency) => {
      if (unstorable(tenant, threadId)) return undefined;
      return idempotent(tenant, idempotency, {
        items,
        write: (db) => insertItems(db, tenant, threadId, items),
        // An items create's Idempotency-Key record follows its first item (the thread, when it wrote none).
        objectOf: (created) => ({ thread_id: threadId, object_id: created[0]?.id ?? threadId }),
        replayed: recordedItems,
      });
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
    getJson: guard(async (tenant, threadId, itemId, view: ItemView) => {
      if (unstorable(tenant, threadId, itemId)) return undefined;
      const row = (await pool.query<ItemRow>(SQL.itemById, [threadId, tenant, itemId, view === 'all'])).rows[0];
      return row && jsonInView(toRecord(row), threadId, view);
    }),
    listJson: guard(async (tenant, threadId, query) => {
      const page = await listItems(tenant, threadId, query);
      const json = (record: ItemRecord) => ({ id: record.id, json: jsonInView(record, threadId, query.view) });
      return page && { data: page.data.map(json), has_more: page.has_more };
    }),
  };
  return store;
}
