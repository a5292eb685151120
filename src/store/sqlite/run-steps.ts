import type Database from 'better-sqlite3';
import type { RunStepRecord } from '../run-records.js';
import { type Direction, readPage, whole } from '../engine/read-page.js';
import type { RunStore } from '../run-types.js';
import { UnknownListCursor } from '../store-errors.js';
import type { PageQuery } from '../types.js';
import type { Write } from './group-commit.js';
import { guarded } from './store-errors.js';

interface StepRange {
  run: number;
  low: number;
  high: number;
  limit: number;
}

const stepListSql = (direction: Direction) => `
  SELECT step FROM run_steps WHERE run_seq = @run AND seq > @low AND seq < @high ORDER BY seq ${direction} LIMIT @limit`;

/** The steps of a run, found through their run (`runSeq`: undefined when the tenant has no such run in the thread). */
export function sqliteRunSteps(
  db: Database.Database,
  write: Write,
  runSeq: (tenant: string, threadId: string, runId: string) => number | undefined,
) {
  const sql = {
    insert: db.prepare<[string, number, string]>('INSERT INTO run_steps (id, run_seq, step) VALUES (?, ?, ?)'),
    step: db.prepare<[string, number], { seq: number; step: string }>(
      'SELECT seq, step FROM run_steps WHERE id = ? AND run_seq = ?',
    ),
    update: db.prepare<[string, number]>('UPDATE run_steps SET step = ? WHERE seq = ?'),
    delete: db.prepare<[string, number]>('DELETE FROM run_steps WHERE id = ? AND run_seq = ?'),
    listAscending: db.prepare<StepRange, { step: string }>(stepListSql('ASC')),
    listDescending: db.prepare<StepRange, { step: string }>(stepListSql('DESC')),
  };

  /** Writes the step when its run is the tenant's, in the thread; inside the caller's transaction. */
  function insertStep(tenant: string, threadId: string, step: RunStepRecord) {
    const run = runSeq(tenant, threadId, step.run_id);
    if (run !== undefined) sql.insert.run(step.id, run, JSON.stringify(step));
  }
  const createStep = db.transaction(insertStep);

  const updateStep = db.transaction(
    (tenant: string, threadId: string, runId: string, stepId: string, set: Partial<RunStepRecord>) => {
      const run = runSeq(tenant, threadId, runId);
      const row = run === undefined ? undefined : sql.step.get(stepId, run);
      if (!row) return undefined;
      const step = { ...(JSON.parse(row.step) as RunStepRecord), ...set };
      sql.update.run(JSON.stringify(step), row.seq);
      return step;
    },
  );

  const deleteStep = db.transaction((tenant: string, threadId: string, runId: string, stepId: string) => {
    const run = runSeq(tenant, threadId, runId);
    return run !== undefined && sql.delete.run(stepId, run).changes > 0;
  });

  function cursor(param: 'after' | 'before', id: string | undefined, run: number) {
    if (id === undefined) return undefined;
    const row = sql.step.get(id, run);
    if (!row) throw new UnknownListCursor(param, id, 'step');
    return row.seq;
  }

  const steps: RunStore['steps'] = {
    create: (tenant, threadId, step) => write(createStep, tenant, threadId, step),
    update: (tenant, threadId, runId, stepId, set) => write(updateStep, tenant, threadId, runId, stepId, set),
    delete: (tenant, threadId, runId, stepId) => write(deleteStep, tenant, threadId, runId, stepId),
    get: guarded(async (tenant: string, threadId: string, runId: string, stepId: string) => {
      const run = runSeq(tenant, threadId, runId);
      const row = run === undefined ? undefined : sql.step.get(stepId, run);
      return row && (JSON.parse(row.step) as RunStepRecord);
    }),
    list: guarded(async (tenant: string, threadId: string, runId: string, query: PageQuery) => {
      const run = runSeq(tenant, threadId, runId);
      if (run === undefined) return undefined;
      const after = cursor('after', query.after, run);
      const before = cursor('before', query.before, run);
      const page = await readPage(query, after, before, (direction, low, high, limit) =>
        whole((direction === 'ASC' ? sql.listAscending : sql.listDescending).all({ run, low, high, limit })),
      );
      return { data: page.data.map((row) => JSON.parse(row.step) as RunStepRecord), has_more: page.has_more };
    }),
  };
  return { steps, insertStep };
}
