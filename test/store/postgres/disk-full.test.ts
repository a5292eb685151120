// PostgreSQL with a full disk: the messages table on a tablespace on a small tmpfs, in a cluster of this
// file's own (a tablespace belongs to the whole cluster).
import { chownSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import {
  createTestDatabase,
  startPostgresCluster,
  type PostgresCluster,
  type TestDatabase,
} from '../../helpers/postgres.js';
import { clusterUser } from '../../helpers/postgres-processes.mjs';
import { mountTmpfs, type Tmpfs } from '../../helpers/tmpfs.js';

const mounted = mountTmpfs(8 * 1024 * 1024);
const skip = typeof mounted === 'string' ? mounted : undefined;

async function sql(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

describe.skipIf(skip !== undefined)(`PostgreSQL on a full disk${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const tmpfs = mounted as Tmpfs;
  let cluster: PostgresCluster;
  let database: TestDatabase;
  let testApp: TestApp;
  beforeAll(async () => {
    const user = clusterUser();
    if (user) chownSync(tmpfs.dir, user.uid, user.gid);
    cluster = await startPostgresCluster();
    database = await createTestDatabase(cluster.url);
    await sql(cluster.url, `CREATE TABLESPACE small LOCATION '${tmpfs.dir}'`);
    testApp = await buildTestApp({ DATABASE_URL: database.url });
    await sql(database.url, 'ALTER TABLE messages SET TABLESPACE small');
  }, 120_000);
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
    await sql(cluster.url, 'DROP TABLESPACE IF EXISTS small').catch(() => undefined);
    await cluster?.destroy();
    tmpfs.unmount();
  });

  test('a write that does not fit answers 503 to retry, reads still answer, and writes work once space returns', async () => {
    const { app } = testApp;
    const thread = (await app.inject({ method: 'POST', url: '/v1/threads', payload: {} })).json();
    // Random text, so TOAST's compression cannot shrink it below the free space.
    const create = () =>
      app.inject({
        method: 'POST',
        url: `/v1/threads/${thread.id}/messages`,
        payload: { role: 'user', content: randomBytes(150_000).toString('base64') },
      });
    tmpfs.fill(512 * 1024);
    const acknowledged: string[] = [];
    let refused = await create();
    for (let i = 0; i < 20 && refused.statusCode === 200; i++, refused = await create())
      acknowledged.push(refused.json().id);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['x-should-retry']).toBe('true');
    expect(refused.json()).toEqual({
      error: {
        message:
          "The server cannot store changes right now: the database server's disk is full. Nothing was stored; please retry later.",
        type: 'server_error',
        param: null,
        code: null,
      },
    });
    expect((await app.inject({ url: `/v1/threads/${thread.id}` })).json()).toEqual(thread);
    const listed = () =>
      app
        .inject({ url: `/v1/threads/${thread.id}/messages?order=asc` })
        .then((res) => res.json().data.map((m: { id: string }) => m.id));
    expect(await listed()).toEqual(acknowledged);

    tmpfs.free();
    const stored = await create();
    expect(stored.statusCode).toBe(200);
    expect(await listed()).toEqual([...acknowledged, stored.json().id]);
  });
});
