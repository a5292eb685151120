import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('DATABASE_URL picks the engine', () => {
  test('a path, sqlite: or :memory: is SQLite, the default', () => {
    const sqlite = (path: string) => ({ engine: 'sqlite', path, synchronous: 'normal' });
    expect(loadConfig({}).database).toEqual(sqlite('./data/threadstore.db'));
    expect(loadConfig({ DATABASE_URL: 'sqlite:/var/lib/ts.db' }).database).toEqual(sqlite('/var/lib/ts.db'));
    expect(loadConfig({ DATABASE_URL: ':memory:' }).database).toEqual(sqlite(':memory:'));
  });

  test('postgres:// and postgresql:// are PostgreSQL, with the pool settings', () => {
    for (const url of ['postgres://u:p@db:5432/threadstore', 'postgresql://db/threadstore?sslmode=require']) {
      expect(loadConfig({ DATABASE_URL: url }).database).toEqual({
        engine: 'postgres',
        url,
        poolMax: 10,
        statementTimeoutMs: 10_000,
        startupTimeoutMs: 60_000,
        maxWaiting: 1000,
        maxPendingBytes: 64 * 1024 * 1024,
      });
    }
    const tuned = loadConfig({
      DATABASE_URL: 'postgres://db/ts',
      PG_POOL_MAX: '25',
      PG_STATEMENT_TIMEOUT_MS: '0',
      PG_STARTUP_TIMEOUT_MS: '5000',
      PG_MAX_WAITING: '0',
      PG_MAX_PENDING_BYTES: '1000000',
    });
    expect(tuned.database).toMatchObject({
      poolMax: 25,
      statementTimeoutMs: 0,
      startupTimeoutMs: 5000,
      maxWaiting: 0,
      maxPendingBytes: 1_000_000,
    });
  });

  test('bad pool settings and other schemes stop start-up with a message naming them', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/ts', PG_POOL_MAX: '0' })).toThrow(/PG_POOL_MAX/);
    expect(() => loadConfig({ PG_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/ts' })).toThrow(/unsupported scheme/);
  });
});
