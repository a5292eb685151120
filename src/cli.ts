#!/usr/bin/env node
import { createReadStream, createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { hashedEntry, storedTenantOf } from './api-keys.js';
import { ConfigError, loadConfig } from './config.js';
import { openStore } from './store/open-store.js';
import { backupSqlite, restoreSqlite } from './store/sqlite/backup.js';
import type { Store } from './store/types.js';
import { copyThreads } from './transfer/copy.js';
import { exportThreads } from './transfer/export.js';
import { importThreads } from './transfer/import.js';

const USAGE = `usage:
  threadstore export [--tenant T] [--out FILE] [--db URL]   every thread with its messages, as JSON Lines
  threadstore import FILE [--tenant T] [--db URL]           load such a file; a thread already there is skipped
  threadstore copy --from URL --to URL [--tenant T]         move threads between two databases
  threadstore backup --out FILE [--db URL]                  a consistent copy of a live SQLite database
  threadstore restore FILE [--db URL] [--force]             put a backup back (stop the server first)
  threadstore hash-key < FILE                               the sha256: entry of the key read from stdin
--db defaults to DATABASE_URL (the server's setting); --tenant limits export and copy to one tenant and
puts imported threads into that tenant: the tenant's name as written in API_KEYS (acme for acme:KEY), or
sha256:<hex> for a bare key's own tenant (the key's SHA-256: printf %s "$KEY" | sha256sum).`;

/** A wrong call: its message (when it has one) and the usage, exit code 2. */
class UsageError extends Error {}

/** The command is no server: it may wait for a lock the server holds for a moment. */
const LOCK_WAIT_MS = 5000;

function databaseOf(url: string | undefined) {
  const env = url === undefined ? process.env : { ...process.env, DATABASE_URL: url };
  return loadConfig(env).database;
}

const openDatabase = (url: string | undefined): Promise<Store> => openStore(databaseOf(url), undefined, LOCK_WAIT_MS);

/** The SQLite file `--db` names; PostgreSQL has its own tools, and saying so beats half-working. */
function sqliteFileOf(url: string | undefined, command: string): string {
  const database = databaseOf(url);
  if (database.engine === 'postgres') {
    throw new ConfigError(
      `${command} is for SQLite: for PostgreSQL use pg_dump (pg_restore to restore) or continuous archiving (pg_basebackup and WAL archiving).`,
    );
  }
  if (database.path === ':memory:')
    throw new ConfigError(`${command}: an in-memory database has no file to ${command}.`);
  return database.path;
}

/** `--tenant` as the store keeps it. */
function tenantOf(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const tenant = storedTenantOf(name);
  if (tenant === undefined) throw new UsageError(`--tenant: '${name}' names no tenant`);
  return tenant;
}

/** Says when a named tenant matched nothing: usually a misspelt name; exit code 1 then. */
function matched(count: number, name: string | undefined): number {
  if (count > 0 || name === undefined) return 0;
  console.error(`no threads of tenant '${name}' (stored as '${tenantOf(name)}'): check the name against API_KEYS`);
  return 1;
}

/** The assistants part of a summary line: said only when there were any, so a store without them reads as before. */
const assistantsNote = (count: number) => (count > 0 ? `, ${count} assistants` : '');

/** Progress on stderr when it is a terminal, rewriting one line. */
function progress(label: string) {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (count: { threads?: number; created?: number; messages: number }) => {
    if (Date.now() - last < 100) return;
    last = Date.now();
    process.stderr.write(`\r${label}: ${count.threads ?? count.created} threads, ${count.messages} messages`);
  };
}

/** Pages copied so far, on stderr when it is a terminal. */
function pageProgress(label: string) {
  if (!process.stderr.isTTY) return undefined;
  return ({ totalPages, remainingPages }: { totalPages: number; remainingPages: number }) => {
    const done = totalPages - remainingPages;
    process.stderr.write(
      `\r${label}: ${done} of ${totalPages} pages (${Math.floor((100 * done) / Math.max(1, totalPages))}%)`,
    );
  };
}

async function withStore<T>(opening: Promise<Store>, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await opening;
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      out: { type: 'string' },
      db: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, file] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command === undefined) throw new UsageError();

  if (command === 'export') {
    const out = values.out === undefined ? process.stdout : createWriteStream(values.out);
    const count = await withStore(openDatabase(values.db), (store) =>
      exportThreads(store, out, { tenant: tenantOf(values.tenant), onProgress: progress('exported') }),
    );
    if (out !== process.stdout) {
      out.end();
      await finished(out);
    }
    console.error(`\nexported ${count.threads} threads, ${count.messages} messages${assistantsNote(count.assistants)}`);
    return matched(count.threads + count.assistants, values.tenant);
  }

  if (command === 'import') {
    if (file === undefined) throw new UsageError();
    const result = await withStore(openDatabase(values.db), (store) =>
      importThreads(store, createReadStream(file), {
        tenant: tenantOf(values.tenant),
        onProgress: progress('imported'),
      }),
    );
    for (const { line, error } of result.errors) console.error(`line ${line}: ${error}`);
    console.error(
      `\nimported ${result.created} threads, ${result.messages} messages${assistantsNote(result.assistants)}; skipped ${result.skipped + result.skippedAssistants} already present; ${result.errors.length} lines failed`,
    );
    return result.errors.length === 0 ? 0 : 1;
  }

  if (command === 'copy') {
    if (values.from === undefined || values.to === undefined) throw new UsageError();
    const to = values.to;
    const result = await withStore(openDatabase(values.from), (from) =>
      withStore(openDatabase(to), (target) =>
        copyThreads(from, target, { tenant: tenantOf(values.tenant), onProgress: progress('copied') }),
      ),
    );
    console.error(
      `\ncopied ${result.threads} threads, ${result.messages} messages${assistantsNote(result.assistants)}; skipped ${result.skipped + result.skippedAssistants} already present`,
    );
    return matched(result.threads + result.skipped + result.assistants + result.skippedAssistants, values.tenant);
  }

  if (command === 'backup') {
    if (values.out === undefined) throw new UsageError();
    const done = await backupSqlite(sqliteFileOf(values.db, 'backup'), values.out, pageProgress('backed up'));
    console.error(
      `\nbacked up ${done.bytes} bytes to ${values.out}: copied in ${done.copySeconds.toFixed(1)} s, integrity check ok in ${done.checkSeconds.toFixed(1)} s`,
    );
    return 0;
  }

  if (command === 'restore') {
    if (file === undefined) throw new UsageError();
    const target = sqliteFileOf(values.db, 'restore');
    await restoreSqlite(file, target, values.force === true, pageProgress('restored'));
    console.error(`\nrestored ${file} into ${target}`);
    return 0;
  }

  if (command === 'hash-key') {
    // From stdin, so the key stays out of the shell's history and the process list.
    const key = (await text(process.stdin)).replace(/\r?\n$/, '');
    try {
      console.log(hashedEntry(key));
    } catch (error) {
      throw new ConfigError(`hash-key: ${(error as Error).message}`);
    }
    return 0;
  }

  throw new UsageError();
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const message = (error as Error).message;
      console.error(message === '' ? USAGE : `${message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
