import type pg from 'pg';
import type { RunRecord, RunStatus, RunStepRecord } from '../run-records.js';
import { now } from '../engine/clock.js';
import { objectOf } from '../engine/idempotency-records.js';
import { readPage, whole } from '../engine/read-page.js';
import { applyRunChange, RESERVATION_MS, startedRun } from '../engine/run-row.js';
import {
  type CreatedRun,
  type NewRunMessage,
  PROMPT_PAGE,
  type RunLease,
  type RunMessageChanges,
  type RunStore,
} from '../run-types.js';
import { ThreadNotFound, ThreadRunActive, UnknownListCursor } from '../store-errors.js';
import type { IdempotencyKey, ItemRecord, ItemViews, NewItem, PageQuery } from '../types.js';
import type { PostgresIdempotency, Queryable } from './idempotency.js';
import { appendItems, firstMessages, type ItemRow, toRecord } from './items.js';
import { postgresRunLeases } from './run-leases.js';
import { postgresRunSteps } from './run-steps.js';
import { RUN_SQL } from './statements/runs.js';
import { guard, unstorable } from './store-errors.js';
import { itemColumns } from './rows.js';
import { inTransaction } from './transaction.js';

/** Runs, their steps (run-steps.ts) and the messages they write; a write that reads first locks its row. */
export function postgresRuns(pool: pg.Pool, views: ItemViews, { idempotent }: PostgresIdempotency): RunStore {
  const runRow = async (db: Queryable, tenant: string, threadId: string, runId: string, lock = false) => {
    if (unstorable(tenant, threadId, runId)) return undefined;
    const { rows } = await db.query<{ seq: number; run: string }>(lock ? RUN_SQL.runForUpdate : RUN_SQL.run, [
      tenant,
      threadId,
      runId,
    ]);
    return rows[0];
  };

  const threadSeq = async (db: Queryable, tenant: string, threadId: string, lock = false) => {
    if (unstorable(tenant, threadId)) return undefined;
    const { rows } = await db.query<{ seq: number }>(lock ? RUN_SQL.lockThread : RUN_SQL.threadSeq, [threadId, tenant]);
    return rows[0]?.seq;
  };

  async function rewriteMessage(
    db: Queryable,
    thread: number,
    messageId: string,
    changes: RunMessageChanges & Partial<Pick<ItemRecord, 'assistant_id' | 'run_id'>>,
  ) {
    const { rows } = await db.query<ItemRow>(RUN_SQL.messageForUpdate, [thread, messageId]);
    if (!rows[0]) return undefined;
    const record = { ...toRecord(rows[0]), ...changes };
    await db.query(RUN_SQL.rewriteMessage, [
      thread,
      messageId,
      JSON.stringify(record.content),
      record.status,
      record.incomplete_details === null ? null : JSON.stringify(record.incomplete_details),
      record.completed_at,
      record.incomplete_at,
      record.assistant_id,
      record.run_id,
    ]);
    return record;
  }

  async function cursor(param: 'after' | 'before', id: string | undefined, tenant: string, thread: number) {
    if (id === undefined) return undefined;
    const row = unstorable(id)
      ? undefined
      : (await pool.query<{ seq: number }>(RUN_SQL.runCursor, [tenant, id, thread])).rows[0];
    if (!row) throw new UnknownListCursor(param, id, 'run');
    return row.seq;
  }

  /** The thread locked, then `messages` and the run, unless a run of the thread is unfinished (ThreadRunActive). */
  async function createRun(
    client: pg.PoolClient,
    tenant: string,
    threadId: string,
    run: RunRecord,
    messages: NewItem[],
    lease: RunLease,
  ): Promise<Required<CreatedRun>> {
    const thread = await threadSeq(client, tenant, threadId, true);
    if (thread === undefined) throw new ThreadNotFound(threadId);
    const active = (await client.query<{ id: string }>(RUN_SQL.activeRun, [thread])).rows[0];
    if (active) throw new ThreadRunActive(threadId, active.id);
    if (messages.length > 0) await appendItems(client, views, tenant, threadId, messages, run.created_at);
    const started = startedRun(run);
    const { owner, until } = lease;
    const values = [run.id, tenant, thread, started.status, run.expires_at, JSON.stringify(started), owner, until];
    await client.query(RUN_SQL.insertRun, values);
    return { run, prompt: await firstMessages(client, thread, PROMPT_PAGE) };
  }

  async function listRuns(tenant: string, threadId: string, query: PageQuery) {
    const thread = await threadSeq(pool, tenant, threadId);
    if (thread === undefined) return undefined;
    const after = await cursor('after', query.after, tenant, thread);
    const before = await cursor('before', query.before, tenant, thread);
    const page = await readPage(query, after, before, async (direction, low, high, limit) =>
      whole((await pool.query<{ run: string }>(RUN_SQL.listRuns(direction), [thread, low, high, limit])).rows),
    );
    return { data: page.data.map((row) => JSON.parse(row.run) as RunRecord), has_more: page.has_more };
  }

  return {
    create: guard(
      async (
        tenant: string,
        threadId: string,
        run: RunRecord,
        messages: NewItem[],
        lease: RunLease,
        key?: IdempotencyKey,
      ) => {
        // The key records the run alone; a replay reads no prompt.
        let prompt: CreatedRun['prompt'];
        const create = async (client: pg.PoolClient) => {
          const created = await createRun(client, tenant, threadId, run, messages, lease);
          prompt = created.prompt;
          return created.run;
        };
        try {
          const answered = await idempotent<RunRecord>(tenant, key, {
            items: [],
            // Without a key `idempotent` hands the pool: the thread's lock needs a transaction of its own then.
            write: (db) => (db === pool ? inTransaction(pool, create) : create(db as pg.PoolClient)),
            objectOf,
            replayed: (response) => JSON.parse(response) as RunRecord,
          });
          return { run: answered, prompt };
        } catch (error) {
          if (error instanceof ThreadNotFound) return undefined;
          throw error;
        }
      },
    ),
    get: guard(async (tenant: string, threadId: string, runId: string) => {
      const row = await runRow(pool, tenant, threadId, runId);
      return row && (JSON.parse(row.run) as RunRecord);
    }),
    list: guard(listRuns),
    update: guard((tenant, threadId, runId, change) =>
      inTransaction(pool, async (client) => {
        const row = await runRow(client, tenant, threadId, runId, true);
        if (!row) return undefined;
        const update = applyRunChange(JSON.parse(row.run) as RunRecord, change);
        if (update.applied) {
          const { run } = update;
          await client.query(RUN_SQL.updateRun, [
            run.status,
            run.expires_at,
            JSON.stringify(run),
            row.seq,
            run.status === 'queued' ? Date.now() + RESERVATION_MS : null,
          ]);
        }
        return update;
      }),
    ),
    due: guard(async (at: number, limit: number) => {
      const { rows } = await pool.query<{ tenant: string; threadId: string; runId: string }>(RUN_SQL.due, [at, limit]);
      return rows;
    }),
    unfinished: guard(async () => {
      const { rows } = await pool.query<{ status: RunStatus; n: number }>(RUN_SQL.unfinished);
      return Object.fromEntries(rows.map((row) => [row.status, row.n]));
    }),
    queue: postgresRunLeases(pool),
    steps: postgresRunSteps(
      pool,
      async (db, tenant, threadId, runId) => (await runRow(db, tenant, threadId, runId))?.seq,
    ),
    messages: {
      // One statement, one round trip: the model's first token may be on its way while this is written.
      create: guard(async (tenant: string, threadId: string, message: NewRunMessage, step?: RunStepRecord) => {
        if (unstorable(tenant, threadId)) return undefined;
        const columns = itemColumns([message], views);
        const { rows } = await pool.query<ItemRow>(RUN_SQL.createMessage, [
          threadId,
          tenant,
          columns.ids[0],
          columns.types[0],
          columns.roles[0],
          columns.bodies[0],
          columns.contents[0],
          columns.attachments[0],
          columns.metadata[0],
          columns.statuses[0],
          now(),
          message.assistant_id,
          message.run_id,
          step?.id ?? null,
          step ? JSON.stringify(step) : null,
        ]);
        return rows[0] && toRecord(rows[0]);
      }),
      update: guard((tenant: string, threadId: string, messageId: string, changes: RunMessageChanges) =>
        inTransaction(pool, async (client) => {
          const thread = await threadSeq(client, tenant, threadId);
          return thread === undefined ? undefined : rewriteMessage(client, thread, messageId, changes);
        }),
      ),
    },
  };
}
