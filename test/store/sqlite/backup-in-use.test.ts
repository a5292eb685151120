import { linkSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  builtServerWithScratch,
  runCli,
  type ServerProcess,
  startServerProcess,
} from '../../helpers/server-process.js';

/*
 * `threadstore backup` and `restore` next to a real server process that holds its database open: no
 * output may land on a database in use (nor on its -wal or -shm), and no restore may replace one.
 * Before, `backup --db X --out X` exited 0 and renamed the copy over the server's file; the server went on
 * writing to the unlinked file and lost what it wrote after the next checkpoint.
 */

const built = builtServerWithScratch('backup-in-use');

const cli = async (args: string[]) => {
  const { code, stderr } = await runCli(built.cli, args);
  return { code, stderr };
};

const createThread = async (server: ServerProcess) => {
  const res = await fetch(`${server.baseURL}/v1/threads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(50_000) }] }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
};

const threadIds = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return db.prepare('SELECT id FROM threads ORDER BY seq').pluck().all() as string[];
  } finally {
    db.close();
  }
};

let live: string;
let other: string;
let server: ServerProcess;
let otherServer: ServerProcess;
beforeAll(async () => {
  live = join(built.dir, 'live.db');
  other = join(built.dir, 'other.db');
  server = await startServerProcess(built.entry, { DATABASE_URL: live });
  otherServer = await startServerProcess(built.entry, { DATABASE_URL: other });
});
afterAll(async () => {
  for (const running of [server, otherServer]) {
    running?.child.kill('SIGTERM');
    await running?.exited;
  }
});

describe('backup refuses an output in use', () => {
  test('the source itself, by name, through a symbolic link to its folder, or a hard link: the server keeps every write', {
    timeout: 60_000,
  }, async () => {
    const before = await createThread(server);
    const inode = statSync(live).ino;
    mkdirSync(join(built.dir, 'linked'));
    symlinkSync(built.dir, join(built.dir, 'linked', 'dir'));
    linkSync(live, join(built.dir, 'hard.db'));
    for (const out of [live, join(built.dir, 'linked', 'dir', 'live.db'), join(built.dir, 'hard.db')]) {
      expect(await cli(['backup', '--db', live, '--out', out])).toEqual({
        code: 1,
        stderr: `backup: --out ${out} is the database being backed up: name another file.\n`,
      });
    }
    expect(statSync(live).ino).toBe(inode);
    // Enough writes to pass the 1000-page checkpoint: before the fix, these went to the unlinked file.
    const after = [];
    for (let i = 0; i < 100; i++) after.push(await createThread(server));
    server.child.kill('SIGKILL');
    await server.exited;
    expect(threadIds(live)).toEqual([before, ...after]);
    server = await startServerProcess(built.entry, { DATABASE_URL: live });
  });

  test("the source's -wal and -shm, and another database in use with its -wal and -shm", async () => {
    await createThread(otherServer);
    const outs: [string, string][] = [
      [`${live}-wal`, 'is the -wal file of the database being backed up'],
      [`${live}-shm`, 'is the -shm file of the database being backed up'],
      [other, 'is a database in use by another process (a threadstore server?)'],
      [`${other}-wal`, 'is the -wal file of a database in use by another process (a threadstore server?)'],
      [`${other}-shm`, 'is the -shm file of a database in use by another process (a threadstore server?)'],
    ];
    for (const [out, why] of outs) {
      expect(await cli(['backup', '--db', live, '--out', out])).toEqual({
        code: 1,
        stderr: `backup: --out ${out} ${why}: name another file.\n`,
      });
    }
    expect(readdirSync(built.dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
    // The other server's database is untouched and still serves.
    await createThread(otherServer);
    expect(threadIds(other)).toHaveLength(2);
  });

  test('a folder is refused before anything is copied, in one line; a database not in use is replaced', async () => {
    const folder = join(built.dir, 'backups');
    mkdirSync(folder);
    expect(await cli(['backup', '--db', live, '--out', folder])).toEqual({
      code: 1,
      stderr: `backup: --out ${folder} is a folder: name the file to write, e.g. ${join(folder, 'threadstore-backup.db')}.\n`,
    });
    expect(readdirSync(folder)).toEqual([]);
    expect(readdirSync(built.dir)).not.toContain('backups.partial');

    const old = join(folder, 'old.db');
    expect((await cli(['backup', '--db', other, '--out', old])).code).toBe(0);
    expect((await cli(['backup', '--db', live, '--out', old])).code).toBe(0);
    expect(threadIds(old)).toEqual(threadIds(live));
  });
});

describe('restore refuses a database in use', () => {
  test('restore --force over the running server exits 1 and changes nothing; once the server stops it works', {
    timeout: 60_000,
  }, async () => {
    const backup = join(built.dir, 'restore-from.db');
    expect((await cli(['backup', '--db', other, '--out', backup])).code).toBe(0);
    const served = threadIds(live);
    expect(await cli(['restore', backup, '--db', live, '--force'])).toEqual({
      code: 1,
      stderr: `The database ${live} is in use by another process (a threadstore server?): stop it, then restore.\n`,
    });
    await createThread(server);
    expect(threadIds(live)).toHaveLength(served.length + 1);

    expect(await cli(['restore', backup, '--db', backup, '--force'])).toEqual({
      code: 1,
      stderr: `The backup ${backup} and the database ${backup} are the same file.\n`,
    });

    server.child.kill('SIGTERM');
    await server.exited;
    expect(await cli(['restore', backup, '--db', live, '--force'])).toEqual({
      code: 0,
      stderr: `\nrestored ${backup} into ${live}\n`,
    });
    expect(threadIds(live)).toEqual(threadIds(backup));
    server = await startServerProcess(built.entry, { DATABASE_URL: live });
  });
});
