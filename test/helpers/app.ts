import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';

export interface TestApp {
  app: App;
  config: Config;
  dbPath: string;
  /** Closes the app and removes its database folder (unless it reopened an earlier app's file). */
  close(): Promise<void>;
}

export interface TestAppOptions extends AppOptions {
  /** Reopen the database file of an earlier app (closed first) instead of a fresh one; its folder is not removed. */
  dbPath?: string;
}

/** A real app on a fresh SQLite file in its own temporary folder, migrated like production. */
export async function buildTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const dir = options.dbPath === undefined ? mkdtempSync(join(tmpdir(), 'threadstore-test-')) : undefined;
  const dbPath = options.dbPath ?? join(dir!, 'threadstore.db');
  const config = loadConfig({ DATABASE_URL: dbPath, LOG_LEVEL: 'silent', ...env });
  const app = await buildApp(config, options);
  await app.ready();
  return {
    app,
    config,
    dbPath,
    async close() {
      await app.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The same app listening on 127.0.0.1 on a free port, for the SDK and raw HTTP tests. */
export async function startTestServer(env: Record<string, string> = {}, options: AppOptions = {}) {
  const testApp = await buildTestApp(env, options);
  const address = await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...testApp, baseURL: address, baseURLv1: `${address}/v1` };
}
