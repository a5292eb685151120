import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { builtServerWithScratch, type ServerProcess, startServerProcess } from '../../helpers/server-process.js';

/*
 * Another process holds the SQLite write lock (`BEGIN IMMEDIATE`, as the sqlite3 shell or a CLI import
 * would): the real server answers writes at once with a 503 to retry, and its event loop never waits.
 */

const built = builtServerWithScratch('lock');
let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess(built.entry, { DATABASE_URL: join(built.dir, 'threadstore.db') });
});
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
});

/** A second process that takes the write lock and keeps it until its stdin closes. */
async function holdWriteLock(file: string): Promise<ChildProcess> {
  const script = `
    const db = new (require('better-sqlite3'))(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    console.log('locked');
    process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); }).resume();`;
  const child = spawn(process.execPath, ['-e', script, file], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: process.cwd(),
  });
  const [chunk] = await once(child.stdout!, 'data');
  expect(String(chunk)).toContain('locked');
  return child;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

const post = (path: string, body: unknown) =>
  fetch(`${server.baseURL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

test('a write meets the lock: an immediate 503 with Retry-After, /health unaffected, writes work once it is gone', async () => {
  const thread = (await (await post('/v1/threads', { metadata: { n: '1' } })).json()) as { id: string };
  const locker = await holdWriteLock(join(built.dir, 'threadstore.db'));
  try {
    // Writes while /health is probed: before, each write held the event loop 5 s (busy_timeout) and then got a 500.
    const writes = Array.from({ length: 5 }, () =>
      timed(() => post(`/v1/threads/${thread.id}/messages`, { role: 'user', content: 'hi' })),
    );
    const health = timed(() => fetch(`${server.baseURL}/health`));
    const answers = await Promise.all(writes);
    const probe = await health;
    for (const { value: res } of answers) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('x-should-retry')).toBe('true');
      expect(await res.json()).toEqual({
        error: {
          message: 'The database is busy: another process holds its write lock. Please retry your request.',
          type: 'server_error',
          param: null,
          code: null,
        },
      });
    }
    // Generous bounds for a loaded machine: what matters is far below the old 5 s wait.
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(1500);
    expect(probe.value.status).toBe(200);
    expect(probe.ms).toBeLessThan(1500);
    console.log(
      `write-lock: slowest 503 ${Math.max(...answers.map((a) => a.ms)).toFixed(1)} ms, /health ${probe.ms.toFixed(1)} ms`,
    );
    // Reads do not need the lock.
    expect((await fetch(`${server.baseURL}/v1/threads/${thread.id}`)).status).toBe(200);
  } finally {
    locker.stdin!.end();
    await once(locker, 'exit');
  }
  const res = await post(`/v1/threads/${thread.id}/messages`, { role: 'user', content: 'after' });
  expect(res.status).toBe(200);
  const list = (await (await fetch(`${server.baseURL}/v1/threads/${thread.id}/messages`)).json()) as {
    data: { content: { text: { value: string } }[] }[];
  };
  expect(list.data.map((m) => m.content[0]!.text.value)).toEqual(['after']);
});
