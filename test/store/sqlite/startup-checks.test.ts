import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { loadMigrations } from '../../../src/store/sqlite/migrate.js';
import { builtServerWithScratch, runCli, runServerToExit } from '../../helpers/server-process.js';
import { mountTmpfs } from '../../helpers/tmpfs.js';

/*
 * A database the server cannot use stops the real server, and the CLI, at start with one line naming
 * the file and what to do, and exit code 1.
 */

const built = builtServerWithScratch('startup');

/** The server and `threadstore export` on this database: both refuse with the same single line. */
async function expectRefusal(dbPath: string, line: string) {
  const server = await runServerToExit(built.entry, { DATABASE_URL: dbPath, HOST: '127.0.0.1', PORT: '0' });
  expect(server).toEqual({ code: 1, output: `${line}\n` });
  const cli = await runCli(built.cli, ['export', '--db', dbPath]);
  expect({ code: cli.code, output: cli.stdout + cli.stderr }).toEqual({ code: 1, output: `${line}\n` });
}

describe('start-up checks of the SQLite database', () => {
  test('a folder that cannot be created', async () => {
    writeFileSync(join(built.dir, 'a-file'), '');
    const folder = join(built.dir, 'a-file', 'data');
    await expectRefusal(
      join(folder, 'threadstore.db'),
      `Cannot create the database folder ${folder} (ENOTDIR: not a directory, mkdir '${folder}'): create it writable by the user running threadstore, or set DATABASE_URL to another path.`,
    );
  });

  test('a schema newer than the code knows', async () => {
    const file = join(built.dir, 'newer.db');
    const db = new Database(file);
    db.pragma('user_version = 999');
    db.close();
    await expectRefusal(
      file,
      `The database file ${file} has schema version 999, newer than this threadstore knows (${loadMigrations().at(-1)!.version}): run the threadstore version that wrote it (or newer), or restore a backup taken before the upgrade.`,
    );
  });

  const tmpfs = mountTmpfs(1024 * 1024);
  test.skipIf(typeof tmpfs === 'string')(
    `a database file that cannot be written${typeof tmpfs === 'string' ? ` (skipped: ${tmpfs})` : ''}`,
    async () => {
      if (typeof tmpfs === 'string') return;
      try {
        const file = join(tmpfs.dir, 'threadstore.db');
        new Database(file).close();
        tmpfs.readOnly(true);
        await expectRefusal(
          file,
          `Cannot write the database file ${file} (EROFS: read-only file system, access '${file}'): make it and its folder writable by the user running threadstore, or set DATABASE_URL to another path.`,
        );
      } finally {
        tmpfs.unmount();
      }
    },
  );
});
