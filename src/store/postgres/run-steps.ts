import type pg from 'pg';
import type { RunStepRecord } from '../run-records.js';
import { readPage, whole } from '../engine/read-page.js';
import type { RunStore } from '../run-types.js';
import { UnknownListCursor } from '../store-errors.js';
import type { PageQuery } from '../types.js';
import type { Queryable } from './idempotency.js';
import { RUN_SQL } from './statements/runs.js';
import { guard, unstorable } from './store-errors.js';
import { inTransaction } from './transaction.js';

type RunSeq = (db: Queryable, tenant: string, threadId: string, runId: string) => Promise<number | undefined>;

/** The steps of a run, found through their run (`runSeq`: undefined when the tenant has no such run in the thread). */
export function postgresRunSteps(pool: pg.Pool, runSeq: RunSeq): RunStore['steps'] {
  const stepRow = async (db: Queryable, stepId: string, run: number, lock = false) => {
    if (unstorable(stepId)) return undefined;
    const { rows } = await db.query<{ seq: number; step: string }>(lock ? RUN_SQL.stepForUpdate : RUN_SQL.step, [
      stepId,
      run,
    ]);
    return rows[0];
  };

  async function cursor(param: 'after' | 'before', id: string | undefined, run: number) {
    if (id === undefined) return undefined;
    const row = await stepRow(pool, id, run);
    if (!row) throw new UnknownListCursor(param, id, 'step');
    return row.seq;
  }

  return {
    create: guard(async (tenant: string, threadId: string, step: RunStepRecord) => {
      const run = await runSeq(pool, tenant, threadId, step.run_id);
      if (run !== undefined) await pool.query(RUN_SQL.insertStep, [step.id, run, JSON.stringify(step)]);
    }),
    update: guard((tenant: string, threadId: string, runId: string, stepId: string, set: Partial<RunStepRecord>) =>
      inTransaction(pool, async (client) => {
        const run = await runSeq(client, tenant, threadId, runId);
        const row = run === undefined ? undefined : await stepRow(client, stepId, run, true);
        if (!row) return undefined;
        const step = { ...(JSON.parse(row.step) as RunStepRecord), ...set };
        await client.query(RUN_SQL.updateStep, [JSON.stringify(step), row.seq]);
        return step;
      }),
    ),
    delete: guard(async (tenant: string, threadId: string, runId: string, stepId: string) => {
      const run = await runSeq(pool, tenant, threadId, runId);
      if (run === undefined || unstorable(stepId)) return false;
      return ((await pool.query(RUN_SQL.deleteStep, [stepId, run])).rowCount ?? 0) > 0;
    }),
    get: guard(async (tenant: string, threadId: string, runId: string, stepId: string) => {
      const run = await runSeq(pool, tenant, threadId, runId);
      const row = run === undefined ? undefined : await stepRow(pool, stepId, run);
      return row && (JSON.parse(row.step) as RunStepRecord);
    }),
    list: guard(async (tenant: string, threadId: string, runId: string, query: PageQuery) => {
      const run = await runSeq(pool, tenant, threadId, runId);
      if (run === undefined) return undefined;
      const after = await cursor('after', query.after, run);
      const before = await cursor('before', query.before, run);
      const page = await readPage(query, after, before, async (direction, low, high, limit) =>
        whole((await pool.query<{ step: string }>(RUN_SQL.listSteps(direction), [run, low, high, limit])).rows),
      );
      return { data: page.data.map((row) => JSON.parse(row.step) as RunStepRecord), has_more: page.has_more };
    }),
  };
}
