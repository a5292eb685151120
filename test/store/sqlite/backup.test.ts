import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { builtServerWithScratch, runCli, startServerProcess } from '../../helpers/server-process.js';

/*
 * `threadstore backup` against the real server's file while writers keep writing, then `threadstore
 * restore` of that backup under a new server.
 */

const built = builtServerWithScratch('backup');

const cli = async (args: string[]) => {
  const { code, stderr } = await runCli(built.cli, args);
  return { code, stderr };
};

const post = async (baseURL: string, path: string, body: unknown) => {
  const res = await fetch(`${baseURL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { id: string } };
};

function messageIds(file: string): Set<string> {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return new Set(db.prepare('SELECT id FROM messages').pluck().all() as string[]);
  } finally {
    db.close();
  }
}

test('a backup taken under writers is whole and holds every write acknowledged before it began; restore puts it back', {
  timeout: 120_000,
}, async () => {
  const source = join(built.dir, 'live.db');
  const server = await startServerProcess(built.entry, { DATABASE_URL: source });
  const acknowledged: string[] = [];
  let writing = true;
  try {
    const thread = (await post(server.baseURL, '/v1/threads', {})).json.id;
    // About 20 MB, so the backup copies the file in several steps while the writers write.
    const bulk = 'x'.repeat(200_000);
    for (let i = 0; i < 100; i++)
      acknowledged.push(
        (await post(server.baseURL, `/v1/threads/${thread}/messages`, { role: 'user', content: bulk })).json.id,
      );
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const answer = await post(server.baseURL, `/v1/threads/${thread}/messages`, {
          role: 'user',
          content: 'during',
        });
        expect(answer.status).toBe(200);
        acknowledged.push(answer.json.id);
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const beforeBackup = [...acknowledged];
    const out = join(built.dir, 'backup.db');
    const backup = await cli(['backup', '--db', source, '--out', out]);
    const afterBackup = acknowledged.length;
    writing = false;
    await Promise.all(writers);

    expect(backup.code).toBe(0);
    expect(backup.stderr).toMatch(
      /^\nbacked up \d+ bytes to .*backup\.db: copied in [\d.]+ s, integrity check ok in [\d.]+ s\n$/,
    );
    expect(afterBackup).toBeGreaterThan(beforeBackup.length); // the server kept writing meanwhile
    // Nothing but the backup itself is left beside it.
    expect(readdirSync(built.dir).sort()).toEqual(['backup.db', 'live.db', 'live.db-shm', 'live.db-wal']);
    const inBackup = messageIds(out);
    for (const id of beforeBackup) expect(inBackup.has(id), id).toBe(true);

    // Restore into the server's place (here a new path), then serve it.
    const restored = join(built.dir, 'restored.db');
    expect(await cli(['restore', out, '--db', restored])).toEqual({
      code: 0,
      stderr: `\nrestored ${out} into ${restored}\n`,
    });
    expect(messageIds(restored)).toEqual(inBackup);
    expect(await cli(['restore', out, '--db', restored])).toEqual({
      code: 1,
      stderr: `The database ${restored} exists: stop the server and add --force to replace it with ${out}.\n`,
    });
    expect((await cli(['restore', out, '--db', restored, '--force'])).code).toBe(0);
    const second = await startServerProcess(built.entry, { DATABASE_URL: restored });
    try {
      const page = await (await fetch(`${second.baseURL}/v1/threads/${thread}/messages?limit=1&order=asc`)).json();
      expect(page.data[0].id).toBe(beforeBackup[0]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  } finally {
    writing = false;
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

test('for PostgreSQL the command says what to use instead, and fails', async () => {
  const out = join(built.dir, 'never.db');
  expect(await cli(['backup', '--db', 'postgres://db.example/threadstore', '--out', out])).toEqual({
    code: 1,
    stderr:
      'backup is for SQLite: for PostgreSQL use pg_dump (pg_restore to restore) or continuous archiving (pg_basebackup and WAL archiving).\n',
  });
  expect(existsSync(out)).toBe(false);
});
