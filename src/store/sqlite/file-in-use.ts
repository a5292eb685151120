import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Whether another process has the SQLite database `file` open. A connection to a WAL database (every
 * threadstore server's, a sqlite3 shell's, a running backup's) holds a shared lock on the file for as long
 * as it is open, so a connection in exclusive locking mode cannot take the file: SQLITE_BUSY at once,
 * and the other process is not disturbed. A database in rollback-journal mode is locked only during a
 * transaction: an idle one is not seen. A file that is no database is not in use as one.
 */
export function databaseInUse(file: string): boolean {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
  } catch {
    return false;
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return false;
  } catch (error) {
    return /^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? '');
  } finally {
    db.close();
  }
}

const statOf = (path: string) => {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
};

/** The path with its folder's links resolved, or undefined when the folder does not exist. */
const placeOf = (path: string) => {
  try {
    return join(realpathSync(dirname(path)), basename(path));
  } catch {
    return undefined;
  }
};

/**
 * Whether two paths name one file: the same device and inode when both exist (so hard and symbolic
 * links count), the same place once links are resolved when neither does (a -wal SQLite creates later).
 */
export function sameFile(a: string, b: string): boolean {
  const [statA, statB] = [statOf(a), statOf(b)];
  if (statA && statB) return statA.dev === statB.dev && statA.ino === statB.ino;
  if (statA || statB) return false;
  const place = placeOf(a);
  return place !== undefined && place === placeOf(b);
}

/** The files SQLite keeps beside a database in WAL mode, which belong to it. */
export const SIDE_FILES = ['-wal', '-shm'] as const;

/** The database a -wal or -shm path belongs to, when it exists. */
export function databaseOfSideFile(path: string): { database: string; suffix: string } | undefined {
  const suffix = SIDE_FILES.find((side) => path.endsWith(side));
  if (suffix === undefined) return undefined;
  const database = path.slice(0, -suffix.length);
  return existsSync(database) ? { database, suffix } : undefined;
}
