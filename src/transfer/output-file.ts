import { createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { ConfigError } from '../config.js';
import { databaseInUse, databaseOfSideFile, SIDE_FILES, sameFile } from '../store/sqlite/file-in-use.js';

const IN_USE = 'in use by another process (a threadstore server?)';

/** Why `out` may not be written, or undefined: the file, once renamed into place, would replace it. */
function hazardOf(out: string, source?: { file: string; done: string }): string | undefined {
  if (source !== undefined) {
    if (sameFile(out, source.file)) return `is the database being ${source.done}`;
    for (const suffix of SIDE_FILES) {
      if (sameFile(out, source.file + suffix)) return `is the ${suffix} file of the database being ${source.done}`;
    }
  }
  if (databaseInUse(out)) return `is a database ${IN_USE}`;
  const side = databaseOfSideFile(out);
  if (side && databaseInUse(side.database)) return `is the ${side.suffix} file of a database ${IN_USE}`;
  return undefined;
}

/**
 * Refuses, in one line, an `--out` that is a folder, lies in a missing folder, or is a database in use (the
 * one being read, `source`, included) or one of its -wal and -shm files; compared by file, not by name.
 */
export function checkOutput(command: string, out: string, source?: { file: string; done: string }): void {
  const stat = statSync(out, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    throw new ConfigError(
      `${command}: --out ${out} is a folder: name the file to write, e.g. ${join(out, `threadstore-${command}${command === 'backup' ? '.db' : '.jsonl'}`)}.`,
    );
  }
  if (!statSync(dirname(out), { throwIfNoEntry: false })?.isDirectory()) {
    throw new ConfigError(`${command}: --out ${out}: the folder ${dirname(out)} does not exist.`);
  }
  const hazard = hazardOf(out, source);
  if (hazard !== undefined) throw new ConfigError(`${command}: --out ${out} ${hazard}: name another file.`);
}

const interrupted = new Set<string>();

function removeAndExit(signal: NodeJS.Signals) {
  for (const path of interrupted) rmSync(path, { force: true });
  process.exit(128 + constants.signals[signal]);
}

/** `path` is removed if the command is interrupted (SIGINT, SIGTERM) before the returned function is called. */
export function removedOnInterrupt(path: string): () => void {
  if (interrupted.size === 0) {
    process.once('SIGINT', removeAndExit);
    process.once('SIGTERM', removeAndExit);
  }
  interrupted.add(path);
  return () => {
    interrupted.delete(path);
    if (interrupted.size === 0) {
      process.off('SIGINT', removeAndExit);
      process.off('SIGTERM', removeAndExit);
    }
  };
}

/** The partial file a command writes before renaming it into place. */
export const partialOf = (out: string) => `${out}.partial`;

/**
 * A file written as `out.partial` and renamed to `out` by `keep`, so `out` is either what it was or the
 * whole new file: never empty after a failed run, never cut short by a killed one. `discard` removes the
 * partial file and leaves `out` as it was; so does SIGINT or SIGTERM. A SIGKILL leaves `out.partial`,
 * which the next run replaces.
 */
export function openOutputFile(out: string) {
  const partial = partialOf(out);
  rmSync(partial, { force: true });
  const stream = createWriteStream(partial);
  const forget = removedOnInterrupt(partial);
  const closed = async () => {
    stream.end();
    await finished(stream);
  };
  return {
    stream,
    async keep() {
      await closed();
      renameSync(partial, out);
      forget();
    },
    async discard() {
      await closed().catch(() => undefined);
      rmSync(partial, { force: true });
      forget();
    },
  };
}
