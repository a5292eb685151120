import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConfigError } from '../../config.js';
import { databaseInUse, sameFile } from './file-in-use.js';
import { loadMigrations } from './migrate.js';

export interface Timing {
  copySeconds: number;
  checkSeconds: number;
}

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/** Pages copied per step: large steps are faster, and each step between two progress reports stays short. */
const PAGES_PER_STEP = 4096;

/** How long the command waits for a lock the server holds for a moment. */
const LOCK_WAIT_MS = 5000;

/** `PRAGMA integrity_check`: 'ok', or the first thing wrong. */
const integrityOf = (db: Database.Database) => db.pragma('integrity_check', { simple: true }) as string;

/** Opened for writing, so closing it removes the -wal and -shm files the check made. */
function checkIntegrity(file: string) {
  const db = new Database(file, { fileMustExist: true });
  try {
    const integrity = integrityOf(db);
    if (integrity !== 'ok') throw new Error(`The copy in ${file} failed its integrity check: ${integrity}`);
  } finally {
    db.close();
  }
}

function openExisting(file: string, what: string): Database.Database {
  if (!existsSync(file)) throw new ConfigError(`${what} ${file} does not exist.`);
  const db = new Database(file, { fileMustExist: true });
  db.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
  const version = db.pragma('user_version', { simple: true }) as number;
  const known = loadMigrations().at(-1)?.version ?? 0;
  if (version === 0 || version > known) {
    db.close();
    throw new ConfigError(
      version === 0
        ? `${what} ${file} is not a threadstore database (its schema version is 0).`
        : `${what} ${file} has schema version ${version}, newer than this threadstore knows (${known}): use the threadstore version that wrote it.`,
    );
  }
  return db;
}

/**
 * Copies `from` into the file `to` with SQLite's online backup API, page by page. `from` is read inside
 * one read transaction, so the copy is the database as it was when the backup began, however much the
 * server writes meanwhile (WAL lets it: a reader does not block writers, nor they it), and the backup
 * never restarts. The copy is checked with `PRAGMA integrity_check` before it is kept.
 */
async function copyDatabase(
  from: Database.Database,
  to: string,
  onProgress?: (progress: BackupProgress) => void,
): Promise<Timing> {
  const started = performance.now();
  from.exec('BEGIN');
  try {
    from.prepare('SELECT count(*) FROM sqlite_schema').get(); // takes the snapshot now
    await from.backup(to, {
      progress: (progress) => {
        onProgress?.(progress);
        return PAGES_PER_STEP;
      },
    });
  } finally {
    from.exec('COMMIT');
  }
  const copied = performance.now();
  checkIntegrity(to);
  return { copySeconds: (copied - started) / 1000, checkSeconds: (performance.now() - copied) / 1000 };
}

/**
 * A consistent snapshot of the live database `source` in `out`, written as `out.partial` and renamed
 * when complete and checked, so `out` is never half a backup. Returns its size in bytes and the time taken.
 */
export async function backupSqlite(
  source: string,
  out: string,
  onProgress?: (progress: BackupProgress) => void,
): Promise<Timing & { bytes: number }> {
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  const db = openExisting(source, 'The database');
  let timing: Timing;
  try {
    timing = await copyDatabase(db, partial, onProgress);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  renameSync(partial, out);
  return { ...timing, bytes: statSync(out).size };
}

/**
 * Puts the backup `file` back as the database `target`, in one transaction of the target. An existing
 * target is replaced only when `replace` is set, and never while another process has it open: a server
 * would go on serving and writing over what was restored.
 */
export async function restoreSqlite(
  file: string,
  target: string,
  replace: boolean,
  onProgress?: (progress: BackupProgress) => void,
) {
  if (sameFile(file, target)) throw new ConfigError(`The backup ${file} and the database ${target} are the same file.`);
  if (existsSync(target) && databaseInUse(target)) {
    throw new ConfigError(
      `The database ${target} is in use by another process (a threadstore server?): stop it, then restore.`,
    );
  }
  if (existsSync(target) && !replace) {
    throw new ConfigError(`The database ${target} exists: stop the server and add --force to replace it with ${file}.`);
  }
  const db = openExisting(file, 'The backup');
  try {
    const integrity = integrityOf(db);
    if (integrity !== 'ok') throw new ConfigError(`The backup ${file} failed its integrity check: ${integrity}`);
    await copyDatabase(db, target, onProgress);
  } finally {
    db.close();
  }
}
