import { purgeExpiredPeriodically } from '../engine/idempotency-records.js';
import type { ItemViews, Store } from '../types.js';
import { postgresAssistants } from './assistants.js';
import { createClient, createPool, isSaturated, type PostgresOptions, waitForDatabase } from './connection.js';
import { postgresIdempotency } from './idempotency.js';
import { postgresItems } from './items.js';
import { migrate } from './migrate.js';
import { postgresPurge } from './purge.js';
import { postgresRuns } from './runs.js';
import { SQL } from './statements/stats.js';
import { guard } from './store-errors.js';
import { postgresThreads } from './threads.js';
import { postgresTransfer } from './transfer.js';

/** Waits for the database, migrates it (once, whatever the number of replicas starting), opens the pool. */
export async function openPostgresStore(options: PostgresOptions & { views: ItemViews }): Promise<Store> {
  const pool = createPool(options);
  try {
    await waitForDatabase(pool, options);
    const client = createClient(options);
    await client.connect();
    try {
      await migrate(client);
    } finally {
      await client.end();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }

  const idempotency = postgresIdempotency(pool);
  const purge = postgresPurge(pool, options.log);
  const threads = postgresThreads(pool, idempotency, options.views, purge.wake);
  const assistants = postgresAssistants(pool, idempotency);
  const purging = purgeExpiredPeriodically(idempotency.purgeExpired);
  purge.wake();

  return {
    threads: threads.store,
    assistants: assistants.store,
    items: postgresItems(pool, idempotency, threads.threadRow, options.views),
    runs: postgresRuns(pool, options.views, idempotency),
    purgeExpiredIdempotencyKeys: idempotency.purgeExpired,
    stats: guard(
      async () => (await pool.query<{ threads: number; messages: number; assistants: number }>(SQL.stats)).rows[0]!,
    ),
    transfer: { ...postgresTransfer(pool), ...assistants.transfer },
    saturated: () => isSaturated(pool, options),
    close: async () => {
      purging.stop();
      await purge.close();
      await pool.end();
    },
  };
}
