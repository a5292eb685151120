import { guardWith } from '../engine/guard.js';
import { StoreBusy, StoreCannotWrite } from '../store-errors.js';

/** Why SQLite could not write, by the primary result code (the part of an extended code before `_`). */
const CANNOT_WRITE: Record<string, string> = {
  SQLITE_FULL: 'its disk is full',
  SQLITE_IOERR: 'its database file could not be written (I/O error)',
  SQLITE_READONLY: 'its database file is read-only',
  SQLITE_CANTOPEN: 'its database file could not be opened',
};

/**
 * SQLite's failures that say "the database cannot take this now" as the store's errors (the API's 503s); others unchanged.
 * better-sqlite3 gives extended codes (`SQLITE_IOERR_WRITE`, `SQLITE_READONLY_DBMOVED`, `SQLITE_BUSY_SNAPSHOT`).
 */
export function toStoreError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const primary = code.split('_', 2).join('_');
  const answer =
    primary === 'SQLITE_BUSY' || primary === 'SQLITE_LOCKED'
      ? new StoreBusy()
      : CANNOT_WRITE[primary] && new StoreCannotWrite(CANNOT_WRITE[primary]);
  if (!answer) return error;
  answer.cause = error;
  return answer;
}

/** A read whose SQLite failures become the store's errors. */
export const guarded = guardWith(toStoreError);
