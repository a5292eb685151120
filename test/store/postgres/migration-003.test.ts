import pg from 'pg';
import { afterEach, beforeEach, expect, inject, test } from 'vitest';
import { loadMigrations, migrate } from '../../../src/store/postgres/migrate.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

// Migration 003 on a database written before it: records learn their objects, and deleted content leaves them.

let database: TestDatabase;
let client: pg.Client;
beforeEach(async () => {
  database = await createTestDatabase(inject('postgresAdminUrl'));
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
afterEach(async () => {
  await client.end();
  await database.drop();
});

test('upgrading neuters the records of deleted objects', async () => {
  await migrate(
    client,
    loadMigrations().filter((m) => m.version < 3),
  );
  const now = Math.floor(Date.now() / 1000);
  await client.query(`
    INSERT INTO threads (id, tenant, position, created_at, metadata, tool_resources, last_position, last_created_at)
      VALUES ('thread_live', '', 1, ${now}, '{}', '{}', 1, ${now});
    INSERT INTO messages (thread_seq, position, id, created_at, role, content, attachments, metadata, status, completed_at)
      SELECT seq, 1, 'msg_live', ${now}, 'user', '[]', '[]', '{}', 'completed', ${now} FROM threads`);
  const thread = { id: 'thread_live', object: 'thread', created_at: now, metadata: {}, tool_resources: {} };
  const message = (id: string) => ({
    id,
    object: 'thread.message',
    thread_id: 'thread_live',
    content: [{ type: 'text', text: { value: 'nul \u0000', annotations: [] } }],
  });
  for (const [key, response] of [
    ['thread-live', thread],
    ['thread-gone', { ...thread, id: 'thread_gone' }],
    ['msg-live', message('msg_live')],
    ['msg-gone', message('msg_gone')],
  ] as const) {
    await client.query(
      'INSERT INTO idempotency_keys (tenant, key, fingerprint, response, created_at) VALUES ($1, $2, $3, $4, $5)',
      ['', key, 'f', JSON.stringify(response), now],
    );
  }

  expect(await migrate(client)).toContain(3);
  const { rows } = await client.query(
    'SELECT key, thread_id, object_id, response IS NULL AS gone FROM idempotency_keys ORDER BY key',
  );
  expect(rows).toEqual([
    { key: 'msg-gone', thread_id: 'thread_live', object_id: 'msg_gone', gone: true },
    { key: 'msg-live', thread_id: 'thread_live', object_id: 'msg_live', gone: false },
    { key: 'thread-gone', thread_id: 'thread_gone', object_id: 'thread_gone', gone: true },
    { key: 'thread-live', thread_id: 'thread_live', object_id: 'thread_live', gone: false },
  ]);
});
