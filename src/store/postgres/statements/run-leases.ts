// The SQL of run leases on PostgreSQL (run-leases.ts).
import { EXECUTABLE_SQL, UNFINISHED_SQL } from '../../engine/run-row.js';

const on = (column: string, sql: string) => sql.replace('status', `${column}.status`);

export const RUN_LEASE_SQL = {
  /**
   * Takes the lease ($4 owner, $5 until) of the tenant's ($1) run ($3) in thread ($2) when no one holds
   * it, $4 does, or its lease passed before $6; the holder it had. The row lock makes two claims take turns,
   * and the second sees the first's owner.
   */
  claim: `UPDATE runs r SET owner = $4, lease_until = $5
    FROM (SELECT r2.seq, r2.owner FROM runs r2 JOIN threads t ON t.seq = r2.thread_seq
          WHERE r2.tenant = $1 AND t.tenant = $1 AND t.id = $2 AND r2.id = $3 AND ${on('r2', UNFINISHED_SQL)}
            AND (r2.owner IS NULL OR r2.owner = $4 OR r2.lease_until < $6)
          FOR UPDATE OF r2) held
    WHERE r.seq = held.seq
    RETURNING held.owner AS "from"`,
  renew: 'UPDATE runs SET lease_until = $2 WHERE owner = $1 RETURNING id AS "runId", status',
  release: `UPDATE runs SET owner = NULL, lease_until = CASE WHEN status = 'queued' THEN $4::bigint END
    WHERE tenant = $1 AND id = $2 AND owner = $3`,
  /** Skips rows locked now: a run being claimed or written is not stranded. */
  stranded: `SELECT r.tenant, t.id AS "threadId", r.id AS "runId", r.status FROM runs r
      JOIN threads t ON t.seq = r.thread_seq
    WHERE ${on('r', EXECUTABLE_SQL)} AND (r.owner IS NULL OR r.owner <> $1) AND coalesce(r.lease_until, 0) < $2
    ORDER BY r.seq LIMIT $3
    FOR UPDATE OF r SKIP LOCKED`,
  activeOf: `SELECT count(*)::int AS n FROM runs WHERE tenant = $1 AND ${UNFINISHED_SQL}`,
};
