import type pg from 'pg';
import type { RunStatus } from '../run-records.js';
import type { RunQueue, StrandedRun } from '../run-types.js';
import { RUN_LEASE_SQL } from './statements/run-leases.js';
import { guard, unstorable } from './store-errors.js';

/**
 * The run queue of replicas sharing one database: each run is executed by the replica holding its lease,
 * renewed by that replica's heartbeat; a lease not renewed in time is taken over by another replica's sweep.
 */
export function postgresRunLeases(pool: pg.Pool): RunQueue {
  return {
    claim: guard(async (ref, owner: string, until: number) => {
      if (unstorable(ref.tenant, ref.threadId, ref.runId)) return undefined;
      const { rows } = await pool.query<{ from: string | null }>(RUN_LEASE_SQL.claim, [
        ref.tenant,
        ref.threadId,
        ref.runId,
        owner,
        until,
        Date.now(),
      ]);
      const row = rows[0];
      return row && { from: row.from === owner ? null : row.from };
    }),
    renew: guard(async (owner: string, until: number) => {
      const { rows } = await pool.query<{ runId: string; status: RunStatus }>(RUN_LEASE_SQL.renew, [owner, until]);
      return rows;
    }),
    release: guard(async (ref, owner: string, reserveUntil: number) => {
      await pool.query(RUN_LEASE_SQL.release, [ref.tenant, ref.runId, owner, reserveUntil]);
    }),
    stranded: guard(async (owner: string, now: number, limit: number) => {
      const { rows } = await pool.query<StrandedRun>(RUN_LEASE_SQL.stranded, [owner, now, limit]);
      return rows;
    }),
    activeOf: guard(async (tenant: string) => {
      if (unstorable(tenant)) return 0;
      const { rows } = await pool.query<{ n: number }>(RUN_LEASE_SQL.activeOf, [tenant]);
      return rows[0]?.n ?? 0;
    }),
  };
}
