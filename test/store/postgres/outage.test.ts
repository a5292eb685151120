// The database going away and coming back, on a PostgreSQL cluster of this file's own (stopping the run's
// shared one would break the other tests).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { openStore } from '../../../src/store/open-store.js';
import { startTestServer } from '../../helpers/app.js';
import {
  createTestDatabase,
  startPostgresCluster,
  type PostgresCluster,
  type TestDatabase,
} from '../../helpers/postgres.js';
import { itemViews } from '../../../src/views/response-json.js';

const UNAVAILABLE = {
  error: { message: 'The server is overloaded or not ready yet.', type: 'server_error', param: null, code: null },
};

describe('when PostgreSQL goes away', () => {
  let cluster: PostgresCluster;
  let database: TestDatabase;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    database = await createTestDatabase(cluster.url);
  });
  afterAll(async () => cluster?.destroy());

  test('requests get 503 with the envelope, and the server recovers by itself when it is back', async () => {
    const server = await startTestServer({ DATABASE_URL: database.url });
    try {
      const thread = (
        await server.app.inject({ method: 'POST', url: '/v1/threads', payload: { metadata: { k: 'v' } } })
      ).json();
      await cluster.stop();

      for (const request of [
        { method: 'GET' as const, url: `/v1/threads/${thread.id}` },
        { method: 'POST' as const, url: '/v1/threads', payload: {} },
        { method: 'GET' as const, url: `/v1/threads/${thread.id}/messages` },
      ]) {
        const res = await server.app.inject(request);
        expect(res.statusCode).toBe(503);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.json()).toEqual(UNAVAILABLE);
      }

      await cluster.start();
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        status = (await server.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}` })).statusCode;
        if (status !== 200) await sleep(100);
      }
      expect(status).toBe(200);
      expect((await server.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}` })).json()).toEqual(thread);
      expect((await server.app.inject({ method: 'POST', url: '/v1/threads', payload: {} })).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });

  test('start-up waits for the database, saying so, and proceeds once it answers', async () => {
    await cluster.stop();
    const logs: { level: string; message: string }[] = [];
    const log = {
      info: (_details: object, message: string) => logs.push({ level: 'info', message }),
      warn: (_details: object, message: string) => logs.push({ level: 'warn', message }),
    };
    const { database: config } = loadConfig({ DATABASE_URL: database.url, PG_STARTUP_TIMEOUT_MS: '120000' });
    const opening = openStore(config, itemViews, log);
    for (let i = 0; i < 200 && !logs.some((entry) => entry.message === 'waiting for PostgreSQL'); i++) await sleep(25);
    expect(logs[0]).toEqual({ level: 'warn', message: 'waiting for PostgreSQL' });

    await cluster.start();
    const store = await opening;
    try {
      expect(logs.at(-1)).toEqual({ level: 'info', message: 'connected to PostgreSQL' });
      expect(await store.threads.create('', { metadata: {}, tool_resources: {}, items: [] })).toMatchObject({
        object: 'thread',
      });
    } finally {
      await store.close();
    }
  });

  test('start-up gives up with a clear error once PG_STARTUP_TIMEOUT_MS has passed', async () => {
    await cluster.stop();
    try {
      const { database: config } = loadConfig({ DATABASE_URL: database.url, PG_STARTUP_TIMEOUT_MS: '0' });
      const where = new URL(database.url);
      await expect(openStore(config, itemViews)).rejects.toThrow(
        `PostgreSQL at 127.0.0.1:${where.port}${where.pathname} is not usable`,
      );
    } finally {
      await cluster.start();
    }
  });
});
