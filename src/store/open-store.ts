import type { Config } from '../config.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export function openStore(database: Config['database']): Store {
  return openSqliteStore({ path: database.path, synchronous: database.synchronous });
}
