#!/usr/bin/env node
import { createReadStream, createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { hashedEntry } from './api-keys.js';
import { ConfigError, loadConfig } from './config.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/types.js';
import { copyThreads } from './transfer/copy.js';
import { exportThreads } from './transfer/export.js';
import { importThreads } from './transfer/import.js';

const USAGE = `usage:
  threadstore export [--tenant T] [--out FILE] [--db URL]   every thread with its messages, as JSON Lines
  threadstore import FILE [--tenant T] [--db URL]           load such a file; a thread already there is skipped
  threadstore copy --from URL --to URL [--tenant T]         move threads between two databases
  threadstore hash-key < FILE                               the sha256: entry of the key read from stdin
--db defaults to DATABASE_URL (the server's setting); --tenant limits export and copy to one tenant and
puts imported threads into that tenant.`;

class UsageError extends Error {}

function openDatabase(url: string | undefined): Promise<Store> {
  const env = url === undefined ? process.env : { ...process.env, DATABASE_URL: url };
  return openStore(loadConfig(env).database);
}

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
      exportThreads(store, out, { tenant: values.tenant, onProgress: progress('exported') }),
    );
    if (out !== process.stdout) {
      out.end();
      await finished(out);
    }
    console.error(`\nexported ${count.threads} threads, ${count.messages} messages`);
    return 0;
  }

  if (command === 'import') {
    if (file === undefined) throw new UsageError();
    const result = await withStore(openDatabase(values.db), (store) =>
      importThreads(store, createReadStream(file), { tenant: values.tenant, onProgress: progress('imported') }),
    );
    for (const { line, error } of result.errors) console.error(`line ${line}: ${error}`);
    console.error(
      `\nimported ${result.created} threads, ${result.messages} messages; skipped ${result.skipped} already present; ${result.errors.length} lines failed`,
    );
    return result.errors.length === 0 ? 0 : 1;
  }

  if (command === 'copy') {
    if (values.from === undefined || values.to === undefined) throw new UsageError();
    const to = values.to;
    const result = await withStore(openDatabase(values.from), (from) =>
      withStore(openDatabase(to), (target) =>
        copyThreads(from, target, { tenant: values.tenant, onProgress: progress('copied') }),
      ),
    );
    console.error(`\ncopied ${result.threads} threads, ${result.messages} messages; skipped ${result.skipped} already present`);
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
      console.error(error instanceof UsageError ? USAGE : `${(error as Error).message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
