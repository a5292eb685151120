import type Database from 'better-sqlite3';
import type { RunStatus } from '../run-records.js';
import { EXECUTABLE_SQL, UNFINISHED_SQL } from '../engine/run-row.js';
import type { RunQueue, RunRef, StrandedRun } from '../run-types.js';
import type { Write } from './group-commit.js';
import { guarded } from './store-errors.js';

const on = (column: string, sql: string) => sql.replace('status', `${column}.status`);

/** The run queue's statements; test/store/sqlite/run-queue-plan.test.ts holds their plans. */
export const RUN_QUEUE_SQL = {
  held: `SELECT r.seq, r.owner FROM runs r JOIN threads t ON t.seq = r.thread_seq
    WHERE r.id = @runId AND r.tenant = @tenant AND t.id = @threadId AND t.tenant = @tenant AND ${on('r', UNFINISHED_SQL)}`,
  take: 'UPDATE runs SET owner = ?, lease_until = ? WHERE seq = ?',
  renew: 'UPDATE runs SET lease_until = ? WHERE owner = ? RETURNING id AS runId, status',
  release: `UPDATE runs SET owner = NULL, lease_until = CASE WHEN status = 'queued' THEN ? END
    WHERE id = ? AND tenant = ? AND owner = ?`,
  stranded: `SELECT r.tenant, t.id AS threadId, r.id AS runId, r.status FROM runs r JOIN threads t ON t.seq = r.thread_seq
    WHERE ${on('r', EXECUTABLE_SQL)}
      AND (r.owner <> @owner OR (r.owner IS NULL AND coalesce(r.lease_until, 0) < @now))
    ORDER BY r.seq LIMIT @limit`,
  activeOf: `SELECT count(*) FROM runs WHERE tenant = ? AND ${UNFINISHED_SQL}`,
};

/**
 * The run queue of one process: a SQLite file is served by one process at a time, so a lease held by
 * any other owner is one a process that ended left behind, and is taken at once (on start-up, the first
 * sweep recovers every run it left). The leases still say which runs this process executes.
 */
export function sqliteRunQueue(db: Database.Database, write: Write): RunQueue {
  const sql = {
    held: db.prepare<RunRef, { seq: number; owner: string | null }>(RUN_QUEUE_SQL.held),
    take: db.prepare<[string, number, number]>(RUN_QUEUE_SQL.take),
    renew: db.prepare<[number, string], { runId: string; status: RunStatus }>(RUN_QUEUE_SQL.renew),
    release: db.prepare<[number, string, string, string]>(RUN_QUEUE_SQL.release),
    stranded: db.prepare<{ owner: string; now: number; limit: number }, StrandedRun>(RUN_QUEUE_SQL.stranded),
    activeOf: db.prepare<[string], number>(RUN_QUEUE_SQL.activeOf).pluck(),
  };

  const claim = db.transaction((ref: RunRef, owner: string, until: number) => {
    const row = sql.held.get(ref);
    if (!row) return undefined;
    sql.take.run(owner, until, row.seq);
    return { from: row.owner === owner ? null : row.owner };
  });
  const renew = db.transaction((owner: string, until: number) => sql.renew.all(until, owner));
  const release = db.transaction((ref: RunRef, owner: string, reserveUntil: number) => {
    sql.release.run(reserveUntil, ref.runId, ref.tenant, owner);
  });

  return {
    claim: (ref, owner, until) => write(claim, ref, owner, until),
    renew: (owner, until) => write(renew, owner, until),
    release: (ref, owner, reserveUntil) => write(release, ref, owner, reserveUntil),
    stranded: guarded(async (owner: string, now: number, limit: number) => sql.stranded.all({ owner, now, limit })),
    activeOf: guarded(async (tenant: string) => sql.activeOf.get(tenant) ?? 0),
  };
}
