import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../../config.js';
import { loadMigrations, migrate } from './migrate.js';
import type { ItemViews } from '../records.js';

/** A database file the server cannot use: the message is one line naming the file and what to do. */
export class DatabaseUnusable extends ConfigError {
  override name = 'DatabaseUnusable';
}

/** How long start-up waits for another process's write lock, e.g. a second server migrating the same file. */
const STARTUP_LOCK_WAIT_MS = 5000;

const reasonOf = (error: unknown) => {
  const { code, message } = error as { code?: string; message?: string };
  if (message === undefined) return String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
};

function createFolder(folder: string) {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new DatabaseUnusable(
      `Cannot create the database folder ${folder} (${reasonOf(error)}): create it writable by the user running threadstore, or set DATABASE_URL to another path.`,
    );
  }
}

/**
 * The file and its folder (where SQLite keeps the -wal and -shm files) must be writable. SQLite itself
 * would open a write-protected file read-only without a word, and fail at the first write instead.
 */
function checkWritable(file: string) {
  for (const path of existsSync(file) ? [file, dirname(file)] : [dirname(file)]) {
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      throw cannotWrite(file, error);
    }
  }
}

const cannotWrite = (file: string, error: unknown) =>
  new DatabaseUnusable(
    `Cannot write the database file ${file} (${reasonOf(error)}): make it and its folder writable by the user running threadstore, or set DATABASE_URL to another path.`,
  );

/**
 * Opens (creating when missing) and migrates a SQLite database, failing with a `DatabaseUnusable` when
 * the file cannot be written or holds a schema newer than this code. `lockWaitMs` is how long a write
 * then waits for another process's lock, synchronously: the server keeps it to a few milliseconds.
 */
export function openDatabase(
  path: string,
  options: { synchronous: 'normal' | 'full'; lockWaitMs: number; views: ItemViews },
): Database.Database {
  const file = path === ':memory:' ? path : resolve(path);
  if (file !== ':memory:') {
    createFolder(dirname(file));
    checkWritable(file);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file);
    db.pragma(`busy_timeout = ${STARTUP_LOCK_WAIT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma('foreign_keys = ON');
    // Deleted and overwritten content is zeroed on disk, not left in free space: a delete is for good.
    db.pragma('secure_delete = ON');
    const migrations = loadMigrations();
    const known = migrations.at(-1)?.version ?? 0;
    const found = db.pragma('user_version', { simple: true }) as number;
    if (found > known) {
      throw new DatabaseUnusable(
        `The database file ${file} has schema version ${found}, newer than this threadstore knows (${known}): run the threadstore version that wrote it (or newer), or restore a backup taken before the upgrade.`,
      );
    }
    migrate(db, migrations, options.views);
    // A write now, so a file SQLite opened read-only fails here rather than at the first request.
    db.exec('BEGIN IMMEDIATE; COMMIT');
    db.pragma(`busy_timeout = ${options.lockWaitMs}`);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof DatabaseUnusable) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (/^SQLITE_(READONLY|CANTOPEN|PERM|IOERR|FULL)/.test(code)) throw cannotWrite(file, error);
    if (/^SQLITE_(NOTADB|CORRUPT)/.test(code)) {
      throw new DatabaseUnusable(
        `The file ${file} is not a usable SQLite database (${reasonOf(error)}): restore it from a backup, or set DATABASE_URL to another path.`,
      );
    }
    throw error;
  }
}
