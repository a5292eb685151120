import type Database from 'better-sqlite3';
import { now } from '../engine/clock.js';
import { itemsOf, recordedItems } from '../engine/idempotency-records.js';
import { itemIdOf, THREAD_VIEW_SQL } from '../engine/item-row.js';
import { UNFINISHED_SQL } from '../engine/run-row.js';
import { rowsWithinBudget } from '../engine/page-budget.js';
import { type Direction, readFirstPage, readPage, type Slice } from '../engine/read-page.js';
import type {
  IdempotencyKey,
  ItemPage,
  ItemRecord,
  ItemView,
  ItemViews,
  ListQuery,
  Metadata,
  NewItem,
  Page,
  Store,
} from '../types.js';
import type { Write } from './group-commit.js';
import type { SqliteIdempotency } from './idempotency.js';
import type { RowCounts } from './row-counts.js';
import { ITEM_COLUMNS, type ItemRow, toRecord } from './item-rows.js';
import { guarded } from './store-errors.js';
import { ImportedIdTaken, ItemIdTaken, MessagesLockedByRun, ThreadNotFound, UnknownCursor } from '../store-errors.js';

/**
 * What `insertItem` takes: an item row with its thread's seq for its own (which SQLite gives), then its
 * stored answers.
 */
type ItemValues = ItemRow extends [number, string, ...infer Rest]
  ? [string, number, ...Rest, thread_json: string | null, item_json: string]
  : never;

/** The thread an item is written into: its seq, and its id, which the thread view's answer names. */
export interface ItemThread {
  seq: number;
  id: string;
}

/** An item's columns as they are written, with its answers rendered: a create's new item and an import's alike. */
function itemValues(thread: ItemThread, m: ItemRecord, views: ItemViews): ItemValues {
  const json = views.answers(m, thread.id);
  return [
    m.id,
    thread.seq,
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
  ];
}

/** The stored answer of the view a read asks for: the Conversations API's with `@all` set. */
const VIEW_JSON = 'CASE WHEN @all THEN item_json ELSE thread_json END';

/** An item's id and its stored answer in the view read. */
type JsonRow = [id: string, json: string];

interface ItemLookup {
  id: string;
  threadId: string;
  tenant: string;
  all: number;
}

/**
 * One lookup for thread and item, which tells which one is missing: no row, no thread; a row of nulls, no
 * item. The index is named: without statistics (SQLite keeps none unless ANALYZE runs) the planner walked
 * the thread's every message for the id, 13 ms per retrieve in a thread of 20,000.
 */
export const itemByIdSql = (columns: string) => `
  SELECT ${columns} FROM threads t LEFT JOIN messages m INDEXED BY messages_by_id
    ON m.id = @id AND m.thread_seq = t.seq AND (@all OR ${THREAD_VIEW_SQL.replace(/(type|role)/g, 'm.$1')})
  WHERE t.id = @threadId AND t.tenant = @tenant`;

/** The columns itemByIdSql reads: the row, or the stored answer of the view asked for. */
export const ITEM_BY_ID_COLUMNS = {
  row: ITEM_COLUMNS.replace(/(\w+)/g, 'm.$1'),
  json: VIEW_JSON.replace(/(\w+_json)/g, 'm.$1'),
};

/** A page statement's values, in the order of its parameters: thread, run (with `run_id` only), low, high, limit. */
type ItemRange = [number, ...(string | number)[]];

/** The values of a page statement: positional, which better-sqlite3 binds about three times faster than named. */
export const itemRange = (thread: number, runId: string | undefined, low: number, high: number, limit: number) =>
  (runId === undefined ? [thread, low, high, limit] : [thread, runId, low, high, limit]) as ItemRange;

type ListRead = 'rows' | 'sizes' | 'json';

/** Through which index a page is read: with `run_id`, the index of messages that have one; else the view's. */
const listIndex = (byRun: boolean, view: ItemView) =>
  byRun ? 'messages_by_run' : view === 'thread' ? 'messages_in_thread_view' : 'messages_by_thread';

/**
 * A thread's items in order, the thread view's only unless the view is 'all' (or, with `sizes`, what their
 * JSON columns take: SQLite reads that from the row header, not the content). The index is named: SQLite
 * keeps no statistics to choose by. The thread view's filter is written out, not behind a parameter, so that
 * its index (migration 008, which holds only those rows) can serve it: a page then reads the rows it shows,
 * however many items of other types lie between them.
 */
export const itemListSql = (
  direction: Direction,
  byRun: boolean,
  read: ListRead = 'rows',
  view: ItemView = 'thread',
) => `
  SELECT ${read === 'sizes' ? 'coalesce(octet_length(item), 0) + octet_length(content) + octet_length(attachments) + octet_length(metadata)' : read === 'json' ? `id, ${view === 'all' ? 'item_json' : 'thread_json'}` : ITEM_COLUMNS}
  FROM messages INDEXED BY ${listIndex(byRun, view)}
  WHERE thread_seq = ? AND ${byRun ? 'run_id = ? AND ' : ''}seq > ? AND seq < ?${view === 'thread' ? ` AND ${THREAD_VIEW_SQL}` : ''}
  ORDER BY seq ${direction} LIMIT ?`;

const viewFlag = (view: ItemView) => (view === 'all' ? 1 : 0);

/** A thread's items: created, read, changed and deleted inside their thread, which the tenant must own. */
export function sqliteItems(
  db: Database.Database,
  write: Write,
  idempotency: SqliteIdempotency,
  counts: RowCounts,
  views: ItemViews,
) {
  const sql = {
    threadSeq: db.prepare<[string, string], { seq: number }>('SELECT seq FROM threads WHERE id = ? AND tenant = ?'),
    activeRun: db
      .prepare<[number], string>(`SELECT id FROM runs WHERE thread_seq = ? AND ${UNFINISHED_SQL} LIMIT 1`)
      .pluck(),
    /** Whether an item or a tombstone of the tenant has this id. */
    itemIdTaken: db.prepare<{ id: string; tenant: string }, { taken: number }>(
      `SELECT 1 AS taken FROM messages m JOIN threads t ON t.seq = m.thread_seq WHERE m.id = @id AND t.tenant = @tenant
       UNION ALL SELECT 1 FROM deleted_messages d JOIN threads t ON t.seq = d.thread_seq WHERE d.id = @id AND t.tenant = @tenant
       LIMIT 1`,
    ),
    insertItem: db.prepare<ItemValues>(
      `INSERT INTO messages (id, thread_seq, created_at, type, role, item, content, attachments, metadata, status,
         incomplete_details, completed_at, incomplete_at, assistant_id, run_id, thread_json, item_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    /** Item ids are per tenant: an imported item's tombstone goes from the tenant's threads. */
    clearItemTombstone: db.prepare<[string, string]>(
      'DELETE FROM deleted_messages WHERE id = ? AND thread_seq IN (SELECT seq FROM threads WHERE tenant = ?)',
    ),
    item: db.prepare<ItemLookup, ItemRow>(itemByIdSql(ITEM_BY_ID_COLUMNS.row)).raw(),
    itemJson: db.prepare<ItemLookup, string | null>(itemByIdSql(ITEM_BY_ID_COLUMNS.json)).pluck(),
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
  };

  const threadSeq = (tenant: string, threadId: string) => sql.threadSeq.get(threadId, tenant)?.seq;
  const idTaken = (tenant: string, id: string) => sql.itemIdTaken.get({ id, tenant }) !== undefined;

  /**
   * Writes items after the thread's latest, in order; the records are built from what was written, so
   * nothing is read back or re-parsed. A supplied id must be free in the tenant.
   */
  function insertItems(tenant: string, thread: ItemThread, items: NewItem[], createdAt: number): ItemRecord[] {
    return items.map((item, index) => {
      if (item.id !== undefined && idTaken(tenant, item.id)) throw new ItemIdTaken(index, item.id);
      const record: ItemRecord = {
        id: itemIdOf(item, views),
        created_at: createdAt,
        type: item.type,
        role: item.role,
        item: item.item,
        content: item.content,
        status: item.status,
        incomplete_details: null,
        completed_at: item.status === 'completed' ? createdAt : null,
        incomplete_at: null,
        assistant_id: null,
        run_id: null,
        attachments: item.attachments,
        metadata: item.metadata,
      };
      sql.insertItem.run(...itemValues(thread, record, views));
      return record;
    });
  }

  /** An import's items, with their ids and timestamps; a restored item's tombstone goes, so it can be deleted again. */
  function importItems(tenant: string, thread: ItemThread, records: ItemRecord[]) {
    for (const record of records) {
      sql.clearItemTombstone.run(record.id, tenant);
      if (idTaken(tenant, record.id)) throw new ImportedIdTaken(record.id);
      sql.insertItem.run(...itemValues(thread, record, views));
    }
  }

  /** An items create's Idempotency-Key record follows every item it wrote (the thread, when it wrote none). */
  const createItems = db.transaction(
    (tenant: string, threadId: string, items: NewItem[], key?: IdempotencyKey, lockedByRun = false) => {
      const recorded = idempotency.recorded(tenant, key);
      if (recorded !== undefined) return recordedItems(recorded);
      const thread = threadSeq(tenant, threadId);
      if (thread === undefined) throw new ThreadNotFound(threadId);
      const active = lockedByRun ? sql.activeRun.get(thread) : undefined;
      if (active !== undefined) throw new MessagesLockedByRun(threadId, active);
      const created = insertItems(tenant, { seq: thread, id: threadId }, items, now());
      counts.added(0, created.length);
      return idempotency.record(tenant, key, created, itemsOf(threadId, created));
    },
  );

  /** The thread view's answer shows the metadata: it is rendered again with it. */
  const updateItem = db.transaction(
    (tenant: string, threadId: string, itemId: string, metadata: Metadata, view: ItemView) => {
      const thread = threadSeq(tenant, threadId);
      if (thread === undefined) throw new ThreadNotFound(threadId);
      const row = sql.updateItemMetadata.get(JSON.stringify(metadata), itemId, thread, viewFlag(view));
      if (!row) return undefined;
      const record = toRecord(row);
      sql.setThreadJson.run(views.answers(record, threadId).thread, row[0]);
      return record;
    },
  );

  const deleteItem = db.transaction((tenant: string, threadId: string, itemId: string, view: ItemView) => {
    const thread = threadSeq(tenant, threadId);
    if (thread === undefined) throw new ThreadNotFound(threadId);
    const row = sql.itemSeq.get(itemId, thread, viewFlag(view));
    if (!row) return false;
    sql.deleteMessage.run(row.seq);
    sql.insertTombstone.run(itemId, thread, row.seq);
    idempotency.neuterItem(tenant, itemId);
    return true;
  });

  function messageCursor(param: 'after' | 'before', id: string | undefined, thread: number): number | undefined {
    if (id === undefined) return undefined;
    const row = sql.cursorSeq.get({ id, thread });
    if (!row) throw new UnknownCursor(param, id);
    return row.seq;
  }

  /** Every page statement, prepared once, by what it reads, its order, and whether it filters by run. */
  function listStatements<Row>(read: ListRead, view: ItemView) {
    const prepare = (direction: Direction, byRun: boolean) => {
      const statement = db.prepare<ItemRange, Row>(itemListSql(direction, byRun, read, view));
      return read === 'sizes' ? statement.pluck() : statement.raw();
    };
    return {
      ASC: { list: prepare('ASC', false), run: prepare('ASC', true) },
      DESC: { list: prepare('DESC', false), run: prepare('DESC', true) },
    };
  }
  type Reads<Row> = Record<ItemView, ReturnType<typeof listStatements<Row>>>;
  const readsOf = <Row>(read: ListRead): Reads<Row> => ({
    thread: listStatements<Row>(read, 'thread'),
    all: listStatements<Row>(read, 'all'),
  });
  const SIZES = readsOf<number>('sizes');
  const RECORDS = readsOf<ItemRow>('rows');
  const JSON_TEXT = readsOf<JsonRow>('json');

  /** A page of a thread's items, read by `reads`' statements. */
  async function pageOf<Row>(
    tenant: string,
    threadId: string,
    query: ListQuery,
    reads: Reads<Row>,
  ): Promise<Page<Row>> {
    const thread = threadSeq(tenant, threadId);
    if (thread === undefined) throw new ThreadNotFound(threadId);
    const after = messageCursor('after', query.after, thread);
    const before = messageCursor('before', query.before, thread);
    return readPage(query, after, before, (direction, low, high, limit) =>
      slice(reads, query.view, direction, thread, query.run_id, low, high, limit),
    );
  }

  /** Up to `limit` rows of a range, within the page budget. */
  function slice<Row>(
    reads: Reads<Row>,
    view: ItemView,
    direction: Direction,
    thread: number,
    runId: string | undefined,
    low: number,
    high: number,
    limit: number,
  ): Slice<Row> {
    const statement = runId === undefined ? 'list' : 'run';
    // The sizes first (from the row headers), so a page never reads content it will not send.
    const found = SIZES[view][direction][statement].all(...itemRange(thread, runId, low, high, limit));
    const fit = rowsWithinBudget(found);
    const list = reads[view][direction][statement];
    return {
      rows: fit === 0 ? [] : list.all(...itemRange(thread, runId, low, high, fit)),
      cut: fit < found.length,
    };
  }

  /** The thread's first `limit` messages in the thread view, oldest first, read now (inside a write's transaction). */
  function firstMessages(thread: number, limit: number): ItemPage {
    const page = readFirstPage(limit, (direction, low, high, asked) =>
      slice(RECORDS, 'thread', direction, thread, undefined, low, high, asked),
    );
    return { data: page.data.map(toRecord), has_more: page.has_more };
  }

  async function listItems(tenant: string, threadId: string, query: ListQuery): Promise<ItemPage> {
    const page = await pageOf(tenant, threadId, query, RECORDS);
    return { data: page.data.map(toRecord), has_more: page.has_more };
  }

  async function listItemJson(tenant: string, threadId: string, query: ListQuery) {
    const page = await pageOf(tenant, threadId, query, JSON_TEXT);
    return { data: page.data.map(([id, json]) => ({ id, json })), has_more: page.has_more };
  }

  const store: Store['items'] = {
    create: (tenant, threadId, items, key, options) =>
      write(createItems, tenant, threadId, items, key, options?.lockedByRun === true),
    get: guarded(async (tenant: string, threadId: string, itemId: string, view: ItemView) => {
      const row = sql.item.get({ id: itemId, threadId, tenant, all: viewFlag(view) });
      if (row === undefined) throw new ThreadNotFound(threadId);
      return row[0] === null ? undefined : toRecord(row);
    }),
    update: (tenant, threadId, itemId, metadata, view) => write(updateItem, tenant, threadId, itemId, metadata, view),
    delete: (tenant, threadId, itemId, view) => write(deleteItem, tenant, threadId, itemId, view),
    list: guarded(listItems),
    getJson: guarded(async (tenant: string, threadId: string, itemId: string, view: ItemView) => {
      const json = sql.itemJson.get({ id: itemId, threadId, tenant, all: viewFlag(view) });
      if (json === undefined) throw new ThreadNotFound(threadId);
      return json ?? undefined;
    }),
    listJson: guarded(listItemJson),
  };
  return { store, insertItems, importItems, firstMessages };
}
