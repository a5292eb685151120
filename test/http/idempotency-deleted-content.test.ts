import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { testEngine } from '../helpers/app.js';
import { createTestSchema, type TestDatabase } from '../helpers/postgres.js';
import { builtServerWithScratch, startServerProcess } from '../helpers/server-process.js';
import { queryDatabase } from '../helpers/sql.js';

/*
 * The real server on a real database: content created with Idempotency-Keys and then deleted leaves the
 * database, records and all, and replaying its creates never brings it back (issue 16, item 2).
 */

const KEY = 'sk-deleted-content-000000000000';
const MESSAGES = 20;
/** About 2 MB of text per message: eight parts, each just under the per-part limit. */
const content = (i: number) =>
  Array.from({ length: 8 }, (_, part) => ({ type: 'text', text: `${i}.${part} `.padEnd(250_000, 'x') }));

const built = builtServerWithScratch('deleted-content');
let schema: TestDatabase | undefined;
beforeAll(async () => {
  if (testEngine === 'postgres') schema = await createTestSchema(inject('postgresTestsUrl'));
});
afterAll(async () => {
  await schema?.drop();
});

test('deleted idempotent content is gone from the database, and its replay is a 404', async () => {
  const databaseUrl = schema?.url ?? join(built.dir, 'threadstore.db');
  const server = await startServerProcess(built.entry, { DATABASE_URL: databaseUrl, API_KEYS: KEY });
  const call = async (method: string, path: string, key?: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    if (key !== undefined) headers['idempotency-key'] = key;
    const res = await fetch(`${server.baseURL}/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  try {
    const thread = (await call('POST', '/threads', 'thread-key', {})).json;
    const ids: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const created = await call('POST', `/threads/${thread.id}/messages`, `msg-${i}`, {
        role: 'user',
        content: content(i),
      });
      expect(created.status).toBe(200);
      ids.push(created.json.id);
    }
    expect(
      (await call('POST', `/threads/${thread.id}/messages`, 'msg-0', { role: 'user', content: content(0) })).json.id,
    ).toBe(ids[0]);

    for (const id of ids) expect((await call('DELETE', `/threads/${thread.id}/messages/${id}`)).status).toBe(200);
    expect(
      await call('POST', `/threads/${thread.id}/messages`, 'msg-0', { role: 'user', content: content(0) }),
    ).toEqual({
      status: 404,
      json: {
        error: {
          message: `No message found with id '${ids[0]}'.`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    });

    expect((await call('DELETE', `/threads/${thread.id}`)).status).toBe(200);
    const threadGone = {
      status: 404,
      json: {
        error: {
          message: `No thread found with id '${thread.id}'.`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    };
    expect(await call('POST', '/threads', 'thread-key', {})).toEqual(threadGone);
    expect(
      await call('POST', `/threads/${thread.id}/messages`, 'msg-1', { role: 'user', content: content(1) }),
    ).toEqual(threadGone);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }

  const stored = await queryDatabase<{ records: number; kept: number }>(
    testEngine,
    databaseUrl,
    'SELECT count(*) AS records, coalesce(sum(length(response)), 0) AS kept FROM idempotency_keys',
  );
  expect(stored.map(({ records, kept }) => [Number(records), Number(kept)])).toEqual([[1, 0]]);
  if (testEngine === 'sqlite') {
    const db = new Database(databaseUrl);
    db.exec('VACUUM');
    db.close();
    expect(statSync(databaseUrl).size).toBeLessThan(1_000_000);
  }
}, 120_000);
