import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { createThread } from './helpers/api.js';
import { buildTestApp } from './helpers/app.js';

test('defaults', () => {
  expect(loadConfig({})).toEqual({
    port: 8080,
    host: '127.0.0.1',
    database: { engine: 'sqlite', path: './data/threadstore.db', synchronous: 'normal' },
    bodyLimit: 2 * 1024 * 1024,
    logLevel: 'info',
    metricsPublic: false,
    apiKeys: [],
    rateLimitPerMinute: undefined,
    authFailuresPerMinute: 20,
    trustProxy: false,
    corsOrigins: [],
    runExpirySeconds: 600,
    runLeaseSeconds: 10,
    runShutdownGraceSeconds: 8,
    runsPerTenant: 20,
    runsPerReplica: 200,
  });
});

test('empty values count as unset', () => {
  expect(loadConfig({ PORT: '', HOST: '', DATABASE_URL: '', LOG_LEVEL: '' })).toEqual(loadConfig({}));
});

test('values are read', () => {
  const env = {
    PORT: '0',
    HOST: '0.0.0.0',
    DATABASE_URL: '/srv/ts.db',
    LOG_LEVEL: 'debug',
    BODY_LIMIT: '4096',
    METRICS_PUBLIC: 'true',
    ALLOW_UNAUTHENTICATED: 'true',
    RATE_LIMIT_PER_MINUTE: '60',
    AUTH_FAILURES_PER_MINUTE: '5',
    TRUST_PROXY: '10.0.0.0/8, ::1',
    CORS_ORIGINS: 'https://a.example, https://b.example',
    SQLITE_SYNCHRONOUS: 'full',
    RUN_EXPIRY_SECONDS: '30',
    RUN_LEASE_SECONDS: '3',
    RUN_SHUTDOWN_GRACE_SECONDS: '0',
    RUNS_PER_TENANT: '5',
    RUNS_PER_REPLICA: '50',
  };
  expect(loadConfig(env)).toEqual({
    port: 0,
    host: '0.0.0.0',
    database: { engine: 'sqlite', path: '/srv/ts.db', synchronous: 'full' },
    bodyLimit: 4096,
    logLevel: 'debug',
    metricsPublic: true,
    apiKeys: [],
    rateLimitPerMinute: 60,
    authFailuresPerMinute: 5,
    trustProxy: ['10.0.0.0/8', '::1'],
    corsOrigins: ['https://a.example', 'https://b.example'],
    runExpirySeconds: 30,
    runLeaseSeconds: 3,
    runShutdownGraceSeconds: 0,
    runsPerTenant: 5,
    runsPerReplica: 50,
  });
});

test.each([
  ['/var/lib/threadstore/db.sqlite', '/var/lib/threadstore/db.sqlite'],
  ['./relative/x.db', './relative/x.db'],
  ['sqlite:/abs/x.db', '/abs/x.db'],
  ['sqlite:rel/x.db', 'rel/x.db'],
  ['sqlite:///abs/x.db', '/abs/x.db'],
  [':memory:', ':memory:'],
  ['sqlite::memory:', ':memory:'],
])('DATABASE_URL %s → %s', (url, path) => {
  expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ engine: 'sqlite', path, synchronous: 'normal' });
});

test.each([
  [{ PORT: 'abc' }, "Invalid configuration: PORT must be an integer from 0 to 65535, got 'abc'"],
  [{ PORT: '65536' }, "Invalid configuration: PORT must be an integer from 0 to 65535, got '65536'"],
  [{ PORT: '-1' }, "Invalid configuration: PORT must be an integer from 0 to 65535, got '-1'"],
  [{ PORT: '80.5' }, "Invalid configuration: PORT must be an integer from 0 to 65535, got '80.5'"],
  [
    { LOG_LEVEL: 'verbose' },
    "Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'verbose'",
  ],
  [{ BODY_LIMIT: '100' }, "Invalid configuration: BODY_LIMIT must be an integer of at least 1024, got '100'"],
  [
    { PORT: 'x', LOG_LEVEL: 'loud' },
    "Invalid configuration: PORT must be an integer from 0 to 65535, got 'x'; LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
  ],
  [
    { DATABASE_URL: 'mysql://db.example/threads' },
    "DATABASE_URL: unsupported scheme in 'mysql://db.example/threads'; use a file path, sqlite:<path>, :memory: or postgres://…",
  ],
  [
    { DATABASE_URL: 'postgres://u@localhost/threads', PG_POOL_MAX: '0' },
    "Invalid configuration: PG_POOL_MAX must be an integer from 1 to 1000, got '0'",
  ],
  [{ DATABASE_URL: 'sqlite:' }, "DATABASE_URL: 'sqlite:' names no file; use sqlite:<path> or :memory:"],
])('%o is refused with a clear message', (env, message) => {
  let thrown: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  expect((thrown as Error).message).toBe(message);
});

test('a sqlite: URL serves from that file, creating its folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'threadstore-config-'));
  const file = join(dir, 'nested', 'deeper', 'ts.db');
  const t = await buildTestApp({ DATABASE_URL: `sqlite:${file}` });
  try {
    await createThread(t.app);
    expect(existsSync(file)).toBe(true);
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test(':memory: serves without a file', async () => {
  const t = await buildTestApp({ DATABASE_URL: ':memory:' });
  try {
    const thread = await createThread(t.app);
    expect((await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}` })).json()).toEqual(thread);
    expect(t.config.database).toEqual({ engine: 'sqlite', path: ':memory:', synchronous: 'normal' });
  } finally {
    await t.close();
  }
});
