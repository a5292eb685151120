// Order and cursors on both engines: positions are handed out in commit order, cursors outlive deletion.
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

const createThread = async () =>
  (await t.app.inject({ method: 'POST', url: '/v1/threads', payload: {} })).json().id as string;
const createMessage = async (thread: string, text: string) =>
  (
    await t.app.inject({
      method: 'POST',
      url: `/v1/threads/${thread}/messages`,
      payload: { role: 'user', content: text },
    })
  ).json();

async function page(thread: string, query: string) {
  const res = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread}/messages?${query}` });
  expect(res.statusCode).toBe(200);
  return res.json() as { data: { id: string; created_at: number }[]; has_more: boolean; last_id: string | null };
}

/** Every message, paging with `after` as the SDKs do. */
async function listAll(thread: string, order: 'asc' | 'desc') {
  const seen: { id: string; created_at: number }[] = [];
  let after: string | null = null;
  for (;;) {
    const result = await page(thread, `limit=100&order=${order}${after ? `&after=${after}` : ''}`);
    seen.push(...result.data);
    if (!result.has_more) return seen;
    after = result.last_id;
  }
}

describe('concurrent writers to one thread', () => {
  test('every message is listed once, created_at never decreases, desc is asc reversed', async () => {
    const thread = await createThread();
    const created = await Promise.all(Array.from({ length: 150 }, (_, i) => createMessage(thread, `m${i}`)));
    const ascending = await listAll(thread, 'asc');
    expect(ascending.map((m) => m.id).sort()).toEqual(created.map((m) => m.id).sort());
    for (let i = 1; i < ascending.length; i++)
      expect(ascending[i]!.created_at).toBeGreaterThanOrEqual(ascending[i - 1]!.created_at);
    expect((await listAll(thread, 'desc')).map((m) => m.id)).toEqual(ascending.map((m) => m.id).reverse());
  });

  test('a reader paging while others write skips nothing and repeats nothing', async () => {
    const thread = await createThread();
    const written: string[] = [];
    let writing = true;
    const writers = Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 40; i++) written.push((await createMessage(thread, `w${w}-${i}`)).id);
      }),
    ).finally(() => (writing = false));

    const read: string[] = [];
    let after: string | null = null;
    for (let round = 0; round < 5_000; round++) {
      // Let the writers' requests run between two pages (SQLite answers without ever yielding).
      await nextTurn();
      const stillWriting = writing;
      const result = await page(thread, `limit=7&order=asc${after ? `&after=${after}` : ''}`);
      read.push(...result.data.map((m) => m.id));
      after = result.last_id ?? after;
      if (!result.has_more && !stillWriting) break;
    }
    await writers;
    expect(writing).toBe(false);
    expect(new Set(read).size).toBe(read.length);
    expect(read.sort()).toEqual(written.sort());
  });
});

describe('cursors survive deletion', () => {
  test('after and before a deleted message page from its position; its content is gone for good', async () => {
    const thread = await createThread();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createMessage(thread, `secret-${i}`)).id);
    const gone = ids[2]!;
    const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/threads/${thread}/messages/${gone}` });
    expect(deleted.json()).toEqual({ id: gone, object: 'thread.message.deleted', deleted: true });

    expect((await page(thread, `order=asc&after=${gone}`)).data.map((m) => m.id)).toEqual([ids[3], ids[4]]);
    expect((await page(thread, `order=asc&before=${gone}`)).data.map((m) => m.id)).toEqual([ids[0], ids[1]]);
    expect((await page(thread, `order=desc&after=${gone}`)).data.map((m) => m.id)).toEqual([ids[1], ids[0]]);
    expect((await t.app.inject({ method: 'GET', url: `/v1/threads/${thread}/messages/${gone}` })).statusCode).toBe(404);
    // Another thread's message is no cursor here, deleted or not.
    const other = await createThread();
    expect((await page(other, 'order=asc')).data).toEqual([]);
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/threads/${other}/messages?after=${gone}` })).json().error.code,
    ).toBe('invalid_value');

    // Nothing of the deleted message's text is left anywhere in the database.
    const leftover = await countRowsMentioning('secret-2');
    expect(leftover).toBe(0);
    expect(await countRowsMentioning('secret-3')).toBe(1);
  });
});

/** Rows of the messages table whose content holds `text`, read straight from the engine's database. */
async function countRowsMentioning(text: string): Promise<number> {
  if (t.engine === 'sqlite') {
    const db = new Database(t.dbPath, { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM messages WHERE instr(content, ?) > 0').get(text) as { n: number })
        .n;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM messages WHERE strpos(content, $1) > 0',
      [text],
    );
    const tombstoneColumns = await client.query(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'deleted_messages' ORDER BY column_name",
    );
    expect(tombstoneColumns.rows.map((row) => row.column_name)).toEqual(['id', 'position', 'thread_seq']);
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}
