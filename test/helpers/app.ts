import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, inject } from 'vitest';
import { buildApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createTestSchema } from './postgres.js';

export type TestEngine = 'sqlite' | 'postgres';

/** The engine this run tests, set per vitest project (vitest.config.ts); SQLite when run otherwise. */
export const testEngine: TestEngine = process.env.THREADSTORE_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/**
 * For tests in a shared file that read the SQLite file itself: skipped in the PostgreSQL project.
 * (Whole files go in a `sqlite/` or `postgres/` folder instead: each runs in its engine's project only.)
 */
export const describeSqliteOnly = describe.skipIf(testEngine !== 'sqlite');

export interface TestApp {
  app: App;
  config: Config;
  engine: TestEngine;
  /** The SQLite file (SQLite engine only: reading it on PostgreSQL throws; mark such tests `describeSqliteOnly`). */
  dbPath: string;
  /** The DATABASE_URL the app was built with. */
  databaseUrl: string;
  /** Closes the app and removes its database (unless it reopened an earlier app's). */
  close(): Promise<void>;
}

export interface TestAppOptions extends AppOptions {
  /** Reopen the database of an earlier app (closed first) instead of a fresh one; it is not removed. */
  reopen?: TestApp;
  /** The same for a SQLite file given by path. */
  dbPath?: string;
}

/**
 * A fresh database for one test: a SQLite file in its own folder, or a new schema in the run's PostgreSQL database.
 * A DATABASE_URL given by the test is its own: nothing is created or removed then.
 */
async function freshDatabase(
  given: string | undefined,
  options: TestAppOptions,
): Promise<{ url: string; dbPath?: string; remove(): Promise<void> }> {
  if (given !== undefined) return { url: given, remove: async () => undefined };
  const earlier = options.reopen === undefined ? options.dbPath : options.reopen.databaseUrl;
  if (earlier !== undefined)
    return { url: earlier, dbPath: testEngine === 'sqlite' ? earlier : undefined, remove: async () => undefined };
  if (testEngine === 'postgres') {
    const database = await createTestSchema(inject('postgresTestsUrl'));
    return { url: database.url, remove: database.drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'threadstore-test-'));
  const dbPath = join(dir, 'threadstore.db');
  return { url: dbPath, dbPath, remove: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A real app on a fresh database of the engine under test, migrated like production. */
export async function buildTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await freshDatabase(env.DATABASE_URL, options);
  // No shutdown grace: a test closing an app with a run in flight closes at once (the run fails as shut down).
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    RUN_SHUTDOWN_GRACE_SECONDS: '0',
    ...env,
  });
  let app: App;
  try {
    app = await buildApp(config, options);
    await app.ready();
  } catch (error) {
    await database.remove();
    throw error;
  }
  return {
    app,
    config,
    engine: testEngine,
    get dbPath(): string {
      if (database.dbPath === undefined)
        throw new Error('dbPath is SQLite-only: mark this test with describeSqliteOnly');
      return database.dbPath;
    },
    databaseUrl: config.database.engine === 'postgres' ? config.database.url : database.url,
    async close() {
      await app.close();
      await database.remove();
    },
  };
}

/** The same app listening on 127.0.0.1 on a free port, for the SDK and raw HTTP tests. */
export async function startTestServer(env: Record<string, string> = {}, options: AppOptions = {}) {
  const testApp = await buildTestApp(env, options);
  const address = await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  // Assigned onto the test app (not spread) so its dbPath guard stays a getter.
  return Object.assign(testApp, { baseURL: address, baseURLv1: `${address}/v1` });
}
