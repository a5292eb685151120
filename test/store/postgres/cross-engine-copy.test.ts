import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { App } from '../../../src/app.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(process.execPath, ['dist/cli.js', ...args], { env: { ...process.env, DATABASE_URL: '' } });

let dir: string;
const opened: TestApp[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'threadstore-copy-'));
});
afterEach(async () => {
  for (const t of opened.splice(0)) await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await buildTestApp(env);
  opened.push(t);
  return t;
}

/** Everything the API shows of every thread, oldest first, with all messages. */
async function everything(app: App) {
  const threads = (await app.inject({ method: 'GET', url: '/v1/threads?order=asc&limit=100' })).json().data;
  const result = [];
  for (const thread of threads) {
    const messages = (
      await app.inject({ method: 'GET', url: `/v1/threads/${thread.id}/messages?order=asc&limit=100` })
    ).json();
    result.push({ thread, messages: messages.data });
  }
  return result;
}

test('copy moves every thread from SQLite to PostgreSQL and back, ids, timestamps and text intact', async () => {
  const sqliteFile = join(dir, 'source.db');
  const source = await open({ DATABASE_URL: sqliteFile });
  for (let i = 0; i < 3; i++) {
    const thread = await source.app.inject({
      method: 'POST',
      url: '/v1/threads',
      payload: {
        metadata: { n: String(i) },
        messages: [
          { role: 'user', content: `NUL \u0000 and a lone surrogate \ud800 in thread ${i}` },
          { role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'https://example.com/x.png' } }] },
        ],
      },
    });
    expect(thread.statusCode).toBe(200);
  }
  const expected = await everything(source.app);
  await source.app.close();

  const target = await open();
  await target.app.close();
  const toPostgres = await cli(['copy', '--from', sqliteFile, '--to', target.databaseUrl]);
  expect(toPostgres.stderr).toContain('copied 3 threads, 6 messages');

  const back = join(dir, 'back.db');
  const toSqlite = await cli(['copy', '--from', target.databaseUrl, '--to', `sqlite:${back}`]);
  expect(toSqlite.stderr).toContain('copied 3 threads, 6 messages');

  const postgres = await open({ DATABASE_URL: target.databaseUrl });
  expect(await everything(postgres.app)).toEqual(expected);
  const roundTrip = await open({ DATABASE_URL: back });
  expect(await everything(roundTrip.app)).toEqual(expected);
});
