import type Database from 'better-sqlite3';
import type { RunRecord, RunStatus, RunStepRecord } from '../run-records.js';
import { now } from '../engine/clock.js';
import { objectOf } from '../engine/idempotency-records.js';
import { type Direction, readPage, whole } from '../engine/read-page.js';
import { applyRunChange, RESERVATION_MS, startedRun, UNFINISHED_SQL } from '../engine/run-row.js';
import {
  type CreatedRun,
  type NewRunMessage,
  PROMPT_PAGE,
  type RunChange,
  type RunLease,
  type RunMessageChanges,
  type RunStore,
} from '../run-types.js';
import { ThreadRunActive, UnknownListCursor } from '../store-errors.js';
import type { IdempotencyKey, ItemViews, NewItem, PageQuery } from '../types.js';
import type { Write } from './group-commit.js';
import type { SqliteIdempotency } from './idempotency.js';
import { ITEM_BY_ID_COLUMNS, itemByIdSql, type sqliteItems } from './items.js';
import { type ItemRow, toRecord } from './item-rows.js';
import type { RowCounts } from './row-counts.js';
import { sqliteRunQueue } from './run-queue.js';
import { sqliteRunSteps } from './run-steps.js';
import { guarded } from './store-errors.js';

/** Until when a queued run is kept for the process that queued it (run-queue.ts). */
const reservation = () => Date.now() + RESERVATION_MS;

interface RunRange {
  thread: number;
  low: number;
  high: number;
  limit: number;
}

const runListSql = (direction: Direction) => `
  SELECT run FROM runs WHERE thread_seq = @thread AND seq > @low AND seq < @high ORDER BY seq ${direction} LIMIT @limit`;

/** A run by its id inside a thread the tenant owns (a deleted thread is hidden under another tenant). */
const RUN_BY_ID = `FROM runs r JOIN threads t ON t.seq = r.thread_seq
  WHERE r.id = @runId AND r.tenant = @tenant AND t.id = @threadId AND t.tenant = @tenant`;

/** A list cursor's run, by the tenant's unique run id: not by reading the thread's every run for it. */
export const RUN_CURSOR_SQL = 'SELECT seq FROM runs WHERE tenant = ? AND id = ? AND thread_seq = ?';

interface RunLookup {
  tenant: string;
  threadId: string;
  runId: string;
}

export interface RunParts {
  write: Write;
  counts: RowCounts;
  items: ReturnType<typeof sqliteItems>;
  views: ItemViews;
  idempotency: SqliteIdempotency;
}

/** Runs, their steps (run-steps.ts) and the messages they write, each write one short transaction. */
export function sqliteRuns(db: Database.Database, { write, counts, items, views, idempotency }: RunParts): RunStore {
  const sql = {
    threadSeq: db.prepare<[string, string], { seq: number }>('SELECT seq FROM threads WHERE id = ? AND tenant = ?'),
    activeRun: db
      .prepare<[number], string>(`SELECT id FROM runs WHERE thread_seq = ? AND ${UNFINISHED_SQL} LIMIT 1`)
      .pluck(),
    insertRun: db.prepare<[string, string, number, string, number | null, string, string, number]>(
      'INSERT INTO runs (id, tenant, thread_seq, status, expires_at, run, owner, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    run: db.prepare<RunLookup, { seq: number; run: string }>(`SELECT r.seq, r.run ${RUN_BY_ID}`),
    updateRun: db.prepare<{
      status: string;
      expires: number | null;
      run: string;
      reserve: number | null;
      seq: number;
    }>(
      `UPDATE runs SET status = @status, expires_at = @expires, run = @run,
         lease_until = CASE WHEN owner IS NULL AND @reserve IS NOT NULL THEN @reserve ELSE lease_until END
       WHERE seq = @seq`,
    ),
    runCursor: db.prepare<[string, string, number], { seq: number }>(RUN_CURSOR_SQL),
    listAscending: db.prepare<RunRange, { run: string }>(runListSql('ASC')),
    listDescending: db.prepare<RunRange, { run: string }>(runListSql('DESC')),
    due: db.prepare<[number, number], { tenant: string; threadId: string; runId: string }>(
      `SELECT r.tenant, t.id AS threadId, r.id AS runId FROM runs r JOIN threads t ON t.seq = r.thread_seq
       WHERE ${UNFINISHED_SQL.replace('status', 'r.status')} AND r.expires_at <= ? ORDER BY r.expires_at LIMIT ?`,
    ),
    unfinished: db.prepare<[], { status: RunStatus; n: number }>(
      `SELECT status, count(*) AS n FROM runs WHERE ${UNFINISHED_SQL} GROUP BY status`,
    ),
    message: db.prepare<{ id: string; threadId: string; tenant: string; all: number }, ItemRow>(
      itemByIdSql(ITEM_BY_ID_COLUMNS.row),
    ),
    rewriteMessage: db.prepare<
      [string, string, string | null, number | null, number | null, string | null, string | null, string, string]
    >(
      `UPDATE messages SET content = ?, status = ?, incomplete_details = ?, completed_at = ?, incomplete_at = ?,
         assistant_id = ?, run_id = ?, thread_json = ?, item_json = ? WHERE id = ? AND thread_seq = ?`,
    ),
  };
  // The rewrite statement takes the id and thread too: its type above lists the first nine values.
  const rewrite = sql.rewriteMessage as unknown as Database.Statement<unknown[]>;

  const threadSeq = (tenant: string, threadId: string) => sql.threadSeq.get(threadId, tenant)?.seq;
  const runSeq = (tenant: string, threadId: string, runId: string) => sql.run.get({ tenant, threadId, runId })?.seq;
  const steps = sqliteRunSteps(db, write, runSeq);

  const createRun = db.transaction(
    (
      tenant: string,
      threadId: string,
      run: RunRecord,
      messages: NewItem[],
      lease: RunLease,
      key?: IdempotencyKey,
    ): CreatedRun | undefined => {
      const recorded = idempotency.recorded(tenant, key);
      if (recorded !== undefined) return { run: JSON.parse(recorded) as RunRecord };
      const thread = threadSeq(tenant, threadId);
      if (thread === undefined) return undefined;
      const active = sql.activeRun.get(thread);
      if (active !== undefined) throw new ThreadRunActive(threadId, active);
      if (messages.length > 0) {
        items.insertItems(tenant, { seq: thread, id: threadId }, messages, run.created_at);
        counts.added(0, messages.length);
      }
      const { owner, until } = lease;
      const started = startedRun(run);
      sql.insertRun.run(run.id, tenant, thread, started.status, run.expires_at, JSON.stringify(started), owner, until);
      idempotency.record(tenant, key, run, objectOf(run));
      return { run, prompt: items.firstMessages(thread, PROMPT_PAGE) };
    },
  );

  const updateRun = db.transaction((tenant: string, threadId: string, runId: string, change: RunChange) => {
    const row = sql.run.get({ tenant, threadId, runId });
    if (!row) return undefined;
    const update = applyRunChange(JSON.parse(row.run) as RunRecord, change);
    if (update.applied) {
      const { run } = update;
      sql.updateRun.run({
        status: run.status,
        expires: run.expires_at,
        run: JSON.stringify(run),
        reserve: run.status === 'queued' ? reservation() : null,
        seq: row.seq,
      });
    }
    return update;
  });

  /** A message's columns and both stored answers, written again after a change. */
  function rewriteMessage(tenant: string, threadId: string, messageId: string, changes: RunMessageChanges & object) {
    const thread = threadSeq(tenant, threadId);
    const row = thread === undefined ? undefined : sql.message.raw().get({ id: messageId, threadId, tenant, all: 1 });
    if (thread === undefined || !row) return undefined;
    const record = { ...toRecord(row), ...changes };
    const json = views.answers(record, threadId);
    rewrite.run(
      JSON.stringify(record.content),
      record.status,
      record.incomplete_details === null ? null : JSON.stringify(record.incomplete_details),
      record.completed_at,
      record.incomplete_at,
      record.assistant_id,
      record.run_id,
      json.thread,
      json.item,
      record.id,
      thread,
    );
    return record;
  }

  const createMessage = db.transaction(
    (tenant: string, threadId: string, message: NewRunMessage, step: RunStepRecord | undefined) => {
      const thread = threadSeq(tenant, threadId);
      if (thread === undefined) return undefined;
      const [created] = items.insertItems(tenant, { seq: thread, id: threadId }, [message], now());
      counts.added(0, 1);
      if (step) steps.insertStep(tenant, threadId, step);
      return rewriteMessage(tenant, threadId, created!.id, {
        assistant_id: message.assistant_id,
        run_id: message.run_id,
      } as RunMessageChanges);
    },
  );

  const updateMessage = db.transaction(
    (tenant: string, threadId: string, messageId: string, changes: RunMessageChanges) =>
      rewriteMessage(tenant, threadId, messageId, changes),
  );

  function runCursor(param: 'after' | 'before', id: string | undefined, tenant: string, thread: number) {
    if (id === undefined) return undefined;
    const row = sql.runCursor.get(tenant, id, thread);
    if (!row) throw new UnknownListCursor(param, id, 'run');
    return row.seq;
  }

  async function listRuns(tenant: string, threadId: string, query: PageQuery) {
    const thread = threadSeq(tenant, threadId);
    if (thread === undefined) return undefined;
    const after = runCursor('after', query.after, tenant, thread);
    const before = runCursor('before', query.before, tenant, thread);
    const page = await readPage(query, after, before, (direction, low, high, limit) =>
      whole((direction === 'ASC' ? sql.listAscending : sql.listDescending).all({ thread, low, high, limit })),
    );
    return { data: page.data.map((row) => JSON.parse(row.run) as RunRecord), has_more: page.has_more };
  }

  return {
    create: (tenant, threadId, run, messages, lease, key) =>
      write(createRun, tenant, threadId, run, messages, lease, key),
    get: guarded(async (tenant: string, threadId: string, runId: string) => {
      const row = sql.run.get({ tenant, threadId, runId });
      return row && (JSON.parse(row.run) as RunRecord);
    }),
    list: guarded(listRuns),
    update: (tenant, threadId, runId, change) => write(updateRun, tenant, threadId, runId, change),
    due: guarded(async (at: number, limit: number) => sql.due.all(at, limit)),
    unfinished: guarded(async () => Object.fromEntries(sql.unfinished.all().map((row) => [row.status, row.n]))),
    queue: sqliteRunQueue(db, write),
    steps: steps.steps,
    messages: {
      create: (tenant, threadId, message, step) => write(createMessage, tenant, threadId, message, step),
      update: (tenant, threadId, messageId, changes) => write(updateMessage, tenant, threadId, messageId, changes),
    },
  };
}
