import type pg from 'pg';
import { backgroundPurge } from '../engine/thread-purge.js';
import type { StoreLog } from './connection.js';
import { SQL } from './statements/purge.js';

/** Messages (or their tombstones) a purge step deletes in one statement. */
const THREAD_PURGE_BATCH = 1000;

/** The background purge of deleted threads' rows (thread-purge.ts), one statement a step. */
export function postgresPurge(pool: pg.Pool, log: StoreLog | undefined) {
  /** Messages first, then their tombstones, then the thread row. */
  async function purgeStep(seq: number): Promise<boolean> {
    if (((await pool.query(SQL.purgeMessages, [seq, THREAD_PURGE_BATCH])).rowCount ?? 0) > 0) return false;
    if (((await pool.query(SQL.purgeMessageTombstones, [seq, THREAD_PURGE_BATCH])).rowCount ?? 0) > 0) return false;
    await pool.query(SQL.deletePurgedThread, [seq]);
    return true;
  }

  // A failed step (the database away) is retried at the next delete or start.
  return backgroundPurge(
    {
      pending: async () => (await pool.query<{ seq: number }>(SQL.threadsToPurge)).rows.map((row) => row.seq),
      step: purgeStep,
    },
    (error) => log?.warn({ err: error }, 'purging deleted threads stopped; it resumes at the next delete or start'),
  );
}
