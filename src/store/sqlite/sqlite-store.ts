import { purgeExpiredPeriodically } from '../engine/idempotency-records.js';
import type { ItemViews, Store } from '../types.js';
import { sqliteAssistants } from './assistants.js';
import { groupCommit, type Write } from './group-commit.js';
import { sqliteIdempotency } from './idempotency.js';
import { sqliteItems } from './items.js';
import { openDatabase } from './open-database.js';
import { sqlitePurge } from './purge.js';
import { rowCounts } from './row-counts.js';
import { sqliteRuns } from './runs.js';
import { guarded, toStoreError } from './store-errors.js';
import { sqliteThreads } from './threads.js';
import { sqliteTransfer } from './transfer.js';

export interface SqliteOptions {
  /** `:memory:` or a file path; the file's folder is created when missing. */
  path: string;
  synchronous?: 'normal' | 'full';
  /**
   * How long a write waits for another process's write lock before the request gets a 503. SQLite waits
   * synchronously, holding the event loop, so the server waits a few milliseconds; the CLI may wait longer.
   */
  lockWaitMs?: number;
  /** The item views: the answers stored with each item, new items' ids. */
  views: ItemViews;
}

/** The server's wait for another process's write lock: SQLite's busy handler sleeps 1, 2, then 2 ms. */
export const SERVER_LOCK_WAIT_MS = 5;

/** The SQLite store: one connection, every write through one group commit, a file per resource. */
export function openSqliteStore({
  path,
  synchronous = 'normal',
  lockWaitMs = SERVER_LOCK_WAIT_MS,
  views,
}: SqliteOptions): Store {
  const db = openDatabase(path, { synchronous, lockWaitMs, views });
  const writes = groupCommit(db);
  const write: Write = (change, ...args) =>
    writes.run(change, ...args).catch((error: unknown) => {
      throw toStoreError(error);
    });

  const idempotency = sqliteIdempotency(db);
  const counts = rowCounts(db);
  const purge = sqlitePurge(db, write);
  const items = sqliteItems(db, write, idempotency, counts, views);
  const threads = sqliteThreads(db, { write, idempotency, counts, items, deleted: purge.wake });
  const assistants = sqliteAssistants(db, write, idempotency);
  const purging = purgeExpiredPeriodically(() => write(idempotency.purgeExpired));
  purge.wake();

  return {
    threads: threads.store,
    assistants: assistants.store,
    items: items.store,
    runs: sqliteRuns(db, { write, counts, items, views, idempotency }),
    purgeExpiredIdempotencyKeys: () => write(idempotency.purgeExpired),
    stats: guarded(async () => ({ ...counts.read(), assistants: assistants.count() })),
    transfer: { ...sqliteTransfer(db, { write, counts, threads, items }), ...assistants.transfer },
    close: async () => {
      purging.stop();
      await purge.close();
      writes.flush();
      db.close();
    },
  };
}
