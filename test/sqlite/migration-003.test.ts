import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { loadMigrations, migrate } from '../../src/store/sqlite/migrate.js';
import { buildTestApp } from '../helpers/app.js';

// Migration 003 on a database written before it: records learn their objects, deleted content leaves them,
// and the stored counts start from what is there.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'threadstore-migration-003-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('upgrading neuters the records of deleted objects and counts what is stored', async () => {
  const path = join(dir, 'threadstore.db');
  const db = new Database(path);
  migrate(
    db,
    loadMigrations().filter((m) => m.version < 3),
  );
  const now = Math.floor(Date.now() / 1000);
  db.exec(`
    INSERT INTO threads (id, tenant, created_at, metadata, tool_resources) VALUES ('thread_live', '', ${now}, '{}', '{}');
    INSERT INTO messages (id, thread_seq, created_at, role, content, attachments, metadata, status, completed_at)
      VALUES ('msg_live', 1, ${now}, 'user', '[]', '[]', '{}', 'completed', ${now});
  `);
  const record = db.prepare(
    'INSERT INTO idempotency_keys (tenant, key, fingerprint, response, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const thread = { id: 'thread_live', object: 'thread', created_at: now, metadata: {}, tool_resources: {} };
  const message = (id: string) => ({
    id,
    object: 'thread.message',
    thread_id: 'thread_live',
    content: [{ type: 'text', text: { value: 'secret', annotations: [] } }],
  });
  record.run('', 'thread-live', 'f1', JSON.stringify(thread), now);
  record.run('', 'thread-gone', 'f2', JSON.stringify({ ...thread, id: 'thread_gone' }), now);
  record.run('', 'msg-live', 'f3', JSON.stringify(message('msg_live')), now);
  record.run('', 'msg-gone', 'f4', JSON.stringify(message('msg_gone')), now);

  expect(migrate(db)).toContain(3);
  expect(
    db.prepare('SELECT key, thread_id, object_id, response IS NULL AS gone FROM idempotency_keys ORDER BY key').all(),
  ).toEqual([
    { key: 'msg-gone', thread_id: 'thread_live', object_id: 'msg_gone', gone: 1 },
    { key: 'msg-live', thread_id: 'thread_live', object_id: 'msg_live', gone: 0 },
    { key: 'thread-gone', thread_id: 'thread_gone', object_id: 'thread_gone', gone: 1 },
    { key: 'thread-live', thread_id: 'thread_live', object_id: 'thread_live', gone: 0 },
  ]);
  expect(db.prepare('SELECT name, n FROM row_counts ORDER BY name').all()).toEqual([
    { name: 'messages', n: 1 },
    { name: 'threads', n: 1 },
  ]);
  db.close();

  const t = await buildTestApp({}, { dbPath: path });
  try {
    await t.app.inject({ method: 'POST', url: '/v1/threads', payload: { messages: [{ role: 'user', content: 'a' }] } });
    await t.app.inject({ method: 'DELETE', url: '/v1/threads/thread_live/messages/msg_live' });
    expect(await t.app.store.stats()).toEqual({ threads: 2, messages: 1, assistants: 0 });
    await t.app.inject({ method: 'DELETE', url: '/v1/threads/thread_live' });
    // The deleted thread's rows leave in the background (thread-purge.ts).
    await vi.waitFor(
      async () => expect(await t.app.store.stats()).toEqual({ threads: 1, messages: 1, assistants: 0 }),
      {
        timeout: 10_000,
      },
    );
  } finally {
    await t.close();
  }
});
