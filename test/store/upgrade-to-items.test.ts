// Migration 004 upgrades a database written by the previous schema in place: every thread and message
// stored before reads as a conversation and items, deleted messages stay cursors, and new writes go after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { FastifyRequest } from 'fastify';
import { afterEach, expect, inject, test } from 'vitest';
import { idempotencyOf } from '../../src/http/idempotency.js';
import { loadMigrations as loadSqliteMigrations, migrate as migrateSqlite } from '../../src/store/sqlite/migrate.js';
import {
  loadMigrations as loadPostgresMigrations,
  migrate as migratePostgres,
} from '../../src/store/postgres/migrate.js';
import { buildTestApp, testEngine, type TestApp } from '../helpers/app.js';
import { createTestSchema } from '../helpers/postgres.js';

const ITEMS_MIGRATION = 4;
const THREAD = 'thread_writtenBeforeItems000';
const text = (value: string) => JSON.stringify([{ type: 'text', text: { value, annotations: [] } }]);
const MESSAGES = [
  { id: 'msg_oldUserMessage0000000001', role: 'user', content: text('Hello') },
  { id: 'msg_oldAssistantMessage00002', role: 'assistant', content: text('Deleted later') },
  {
    id: 'msg_oldImageMessage000000003',
    role: 'user',
    content: JSON.stringify([{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } }]),
  },
  { id: 'msg_oldLatestMessage00000004', role: 'assistant', content: text('Deleted too, the latest') },
];
const DELETED = [MESSAGES[1]!.id, MESSAGES[3]!.id];
const CREATED_AT = 1_790_000_000;

/** The first message's create, sent with an Idempotency-Key before the upgrade and retried after it. */
const KEYED_CREATE = {
  url: `/v1/threads/${THREAD}/messages`,
  headers: { 'idempotency-key': 'sent-before-the-upgrade' },
  payload: { role: 'user', content: 'Hello' },
};
/** The message object the previous code answered that create with, and recorded as the key's response. */
const FIRST_RESPONSE = {
  id: MESSAGES[0]!.id,
  object: 'thread.message',
  created_at: CREATED_AT,
  thread_id: THREAD,
  status: 'completed',
  incomplete_details: null,
  completed_at: CREATED_AT,
  incomplete_at: null,
  role: 'user',
  content: JSON.parse(MESSAGES[0]!.content),
  assistant_id: null,
  run_id: null,
  attachments: [],
  metadata: {},
};
const keyedRecord = () => {
  const { key, fingerprint } = idempotencyOf({
    method: 'POST',
    url: KEYED_CREATE.url,
    headers: KEYED_CREATE.headers,
    body: KEYED_CREATE.payload,
  } as unknown as FastifyRequest)!;
  return [key, fingerprint, JSON.stringify(FIRST_RESPONSE), THREAD, MESSAGES[0]!.id, Math.floor(Date.now() / 1000)];
};

/** What the previous code wrote: a thread, its messages, two of them deleted (only tombstones left). */
async function writtenByPreviousSchema(): Promise<{ url: string; remove(): Promise<void> }> {
  if (testEngine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'threadstore-upgrade-'));
    const path = join(dir, 'old.db');
    const db = new Database(path);
    migrateSqlite(
      db,
      loadSqliteMigrations().filter((m) => m.version < ITEMS_MIGRATION),
    );
    const { seq } = db
      .prepare(
        "INSERT INTO threads (id, tenant, created_at, metadata, tool_resources) VALUES (?, '', ?, '{\"k\":\"v\"}', '{}') RETURNING seq",
      )
      .get(THREAD, CREATED_AT) as { seq: number };
    const insert = db.prepare(
      `INSERT INTO messages (id, thread_seq, created_at, role, content, attachments, metadata, status, completed_at)
       VALUES (?, ?, ?, ?, ?, '[]', '{}', 'completed', ?) RETURNING seq`,
    );
    for (const m of MESSAGES) {
      const row = insert.get(m.id, seq, CREATED_AT, m.role, m.content, CREATED_AT) as { seq: number };
      if (DELETED.includes(m.id)) {
        db.prepare('DELETE FROM messages WHERE seq = ?').run(row.seq);
        db.prepare('INSERT INTO deleted_messages (id, thread_seq, seq) VALUES (?, ?, ?)').run(m.id, seq, row.seq);
      }
    }
    db.prepare(
      `INSERT INTO idempotency_keys (tenant, key, fingerprint, response, thread_id, object_id, created_at)
       VALUES ('', ?, ?, ?, ?, ?, ?)`,
    ).run(...keyedRecord());
    db.close();
    return { url: path, remove: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = await createTestSchema(inject('postgresTestsUrl'));
  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  try {
    await migratePostgres(
      client,
      loadPostgresMigrations().filter((m) => m.version < ITEMS_MIGRATION),
    );
    await client.query("INSERT INTO tenant_positions VALUES ('', 1, $1)", [CREATED_AT]);
    const { rows } = await client.query<{ seq: number }>(
      `INSERT INTO threads (id, tenant, position, created_at, metadata, tool_resources, last_position, last_created_at)
       VALUES ($1, '', 1, $2, '{"k":"v"}', '{}', $3, $2) RETURNING seq`,
      [THREAD, CREATED_AT, MESSAGES.length],
    );
    const seq = rows[0]!.seq;
    for (const [index, m] of MESSAGES.entries()) {
      if (DELETED.includes(m.id)) {
        await client.query('INSERT INTO deleted_messages (id, thread_seq, position) VALUES ($1, $2, $3)', [
          m.id,
          seq,
          index + 1,
        ]);
        continue;
      }
      await client.query(
        `INSERT INTO messages (thread_seq, position, id, created_at, role, content, attachments, metadata, status, completed_at)
         VALUES ($1, $2, $3, $4, $5, $6, '[]', '{}', 'completed', $4)`,
        [seq, index + 1, m.id, CREATED_AT, m.role, m.content],
      );
    }
    await client.query(
      `INSERT INTO idempotency_keys (tenant, key, fingerprint, response, thread_id, object_id, created_at)
       VALUES ('', $1, $2, $3, $4, $5, $6)`,
      keyedRecord(),
    );
  } finally {
    await client.end();
  }
  return { url: schema.url, remove: schema.drop };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

test('threads and messages written before the upgrade read as conversations and items', async () => {
  const old = await writtenByPreviousSchema();
  cleanup.push(old.remove);
  const t: TestApp = await buildTestApp({ DATABASE_URL: old.url });
  cleanup.push(() => t.close());
  const get = async (url: string) => (await t.app.inject({ method: 'GET', url })).json();

  expect(await get(`/v1/conversations/${THREAD}`)).toEqual({
    id: THREAD,
    object: 'conversation',
    created_at: CREATED_AT,
    metadata: { k: 'v' },
  });
  expect((await get(`/v1/conversations/${THREAD}/items?order=asc`)).data).toEqual([
    {
      id: MESSAGES[0]!.id,
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_text', text: 'Hello' }],
    },
    {
      id: MESSAGES[2]!.id,
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_image', image_url: 'https://example.com/a.png', detail: 'high' }],
    },
  ]);
  const messages = await get(`/v1/threads/${THREAD}/messages?order=asc`);
  expect(messages.data.map((m: { id: string }) => m.id)).toEqual([MESSAGES[0]!.id, MESSAGES[2]!.id]);

  // Deleted messages stay cursors, and a new item goes after the latest, deleted one.
  const created = await t.app.inject({
    method: 'POST',
    url: `/v1/conversations/${THREAD}/items`,
    payload: { items: [{ role: 'user', content: 'new' }] },
  });
  expect(created.statusCode).toBe(200);
  const newId = created.json().data[0].id;
  expect(
    (await get(`/v1/conversations/${THREAD}/items?order=asc&after=${DELETED[1]}`)).data.map(
      (i: { id: string }) => i.id,
    ),
  ).toEqual([newId]);
  expect(
    (await get(`/v1/threads/${THREAD}/messages?order=asc&after=${DELETED[0]}`)).data.map((m: { id: string }) => m.id),
  ).toEqual([MESSAGES[2]!.id, newId]);
  // A deleted message's id stays taken in its tenant.
  const reused = await t.app.inject({
    method: 'POST',
    url: `/v1/conversations/${THREAD}/items`,
    payload: { items: [{ id: DELETED[0], role: 'user', content: 'x' }] },
  });
  expect(reused.json().error).toMatchObject({ param: 'items[0].id', code: 'invalid_value' });
});

test('a message create keyed before the upgrade answers its first message again when retried after it', async () => {
  const old = await writtenByPreviousSchema();
  cleanup.push(old.remove);
  const t: TestApp = await buildTestApp({ DATABASE_URL: old.url });
  cleanup.push(() => t.close());

  const replay = await t.app.inject({ method: 'POST', ...KEYED_CREATE });
  expect(replay.statusCode).toBe(200);
  expect(replay.json()).toEqual(FIRST_RESPONSE);
  const messages = (await t.app.inject({ method: 'GET', url: `/v1/threads/${THREAD}/messages` })).json();
  expect(messages.data).toHaveLength(MESSAGES.length - DELETED.length);
});
