// Two threadstore processes on one PostgreSQL database behave as one server. Separate processes rather
// than two apps in one process: nothing (module state, event loop, pool) can be shared by accident, and
// they start and migrate concurrently as replicas do.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { loadMigrations } from '../../../src/store/postgres/migrate.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { buildServer, startServerProcess, type BuiltServer, type ServerProcess } from '../../helpers/server-process.js';

interface Message {
  id: string;
  created_at: number;
}

describe('two replicas on one database', () => {
  let build: BuiltServer;
  let database: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    build = await buildServer();
    database = await createTestDatabase(inject('postgresAdminUrl'));
    // Started together on an empty database: both migrate, under the advisory lock.
    const start = () => startServerProcess(build.entry, { DATABASE_URL: database.url, PG_POOL_MAX: '8' });
    [a, b] = await Promise.all([start(), start()]);
  });

  afterAll(async () => {
    await Promise.all(
      [a, b].map((server) => {
        server?.child.kill('SIGTERM');
        return server?.exited;
      }),
    );
    await database?.drop();
    build?.remove();
  });

  async function call(server: ServerProcess, method: string, path: string, body?: unknown) {
    const res = await fetch(`${server.baseURL}/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  async function listAll(server: ServerProcess, thread: string, order: 'asc' | 'desc', limit = 100) {
    const seen: Message[] = [];
    let after: string | null = null;
    for (let round = 0; round < 1_000; round++) {
      const { body } = await call(
        server,
        'GET',
        `/threads/${thread}/messages?limit=${limit}&order=${order}${after ? `&after=${after}` : ''}`,
      );
      seen.push(...body.data);
      if (!body.has_more) return seen;
      after = body.last_id;
    }
    throw new Error('paging did not end');
  }

  test('the schema was migrated once although both started together', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT version, count(*)::int AS times FROM schema_migrations GROUP BY version ORDER BY version',
      );
      expect(rows).toEqual(loadMigrations().map(({ version }) => ({ version, times: 1 })));
    } finally {
      await client.end();
    }
  });

  test('written on one, read, changed and deleted on the other', async () => {
    const created = await call(a, 'POST', '/threads', {
      metadata: { k: 'v' },
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(created.status).toBe(200);
    const thread = created.body.id;
    expect((await call(b, 'GET', `/threads/${thread}`)).body).toEqual(created.body);
    const [message] = (await call(b, 'GET', `/threads/${thread}/messages`)).body.data;
    expect(message.content).toEqual([{ type: 'text', text: { value: 'hi', annotations: [] } }]);
    const changed = await call(b, 'POST', `/threads/${thread}/messages/${message.id}`, { metadata: { seen: 'yes' } });
    expect((await call(a, 'GET', `/threads/${thread}/messages/${message.id}`)).body).toEqual(changed.body);
    expect((await call(a, 'DELETE', `/threads/${thread}`)).body).toEqual({
      id: thread,
      object: 'thread.deleted',
      deleted: true,
    });
    expect((await call(b, 'GET', `/threads/${thread}`)).status).toBe(404);
  });

  test('300 concurrent creates through both are listed identically by both', async () => {
    const thread = (await call(a, 'POST', '/threads', {})).body.id;
    const created = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        call(i % 2 ? a : b, 'POST', `/threads/${thread}/messages`, { role: 'user', content: `m${i}` }),
      ),
    );
    expect(created.every((res) => res.status === 200)).toBe(true);
    const viaA = await listAll(a, thread, 'asc');
    const viaB = await listAll(b, thread, 'asc', 37);
    expect(viaA.map((m) => m.id)).toEqual(viaB.map((m) => m.id));
    expect([...viaA.map((m) => m.id)].sort()).toEqual(created.map((res) => res.body.id).sort());
    for (let i = 1; i < viaA.length; i++) expect(viaA[i]!.created_at).toBeGreaterThanOrEqual(viaA[i - 1]!.created_at);
    expect((await listAll(b, thread, 'desc')).map((m) => m.id)).toEqual(viaA.map((m) => m.id).reverse());
  });

  test('a reader paging through one replica while the other writes skips nothing and repeats nothing', async () => {
    const thread = (await call(a, 'POST', '/threads', {})).body.id;
    const written: string[] = [];
    let writing = true;
    const writers = Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; i < 40; i++)
          written.push(
            (await call(a, 'POST', `/threads/${thread}/messages`, { role: 'user', content: `w${w}-${i}` })).body.id,
          );
      }),
    ).finally(() => (writing = false));

    const read: string[] = [];
    let after: string | null = null;
    for (let round = 0; round < 5_000; round++) {
      const stillWriting = writing;
      const { body } = await call(
        b,
        'GET',
        `/threads/${thread}/messages?limit=5&order=asc${after ? `&after=${after}` : ''}`,
      );
      read.push(...body.data.map((m: Message) => m.id));
      after = body.last_id ?? after;
      if (!body.has_more && !stillWriting) break;
    }
    await writers;
    expect(written).toHaveLength(240);
    expect(new Set(read).size).toBe(read.length);
    expect([...read].sort()).toEqual([...written].sort());
  });
});
