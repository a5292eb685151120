import type { Config } from '../config.js';
import type { StoreLog } from './postgres/connection.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { ItemViews, Store } from './types.js';

/**
 * The engine `DATABASE_URL` names; PostgreSQL is waited for and migrated before this resolves.
 * `views` render the items' answers and name new items (`itemViews`, in response-json.ts of the views).
 * `sqliteLockWaitMs`: how long a SQLite write waits for another process's lock (the server: a few ms).
 */
export async function openStore(
  database: Config['database'],
  views: ItemViews,
  log?: StoreLog,
  sqliteLockWaitMs?: number,
): Promise<Store> {
  if (database.engine === 'postgres') return openPostgresStore({ ...database, log, views });
  const { path, synchronous } = database;
  return openSqliteStore({ path, synchronous, lockWaitMs: sqliteLockWaitMs, views });
}
