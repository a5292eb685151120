import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, test } from 'vitest';
import { ConfigError } from '../../../src/config.js';
import { loadMigrations, migrate } from '../../../src/store/postgres/migrate.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

describe('PostgreSQL migrations', () => {
  let database: TestDatabase;
  let clients: pg.Client[];
  beforeEach(async () => {
    database = await createTestDatabase(inject('postgresAdminUrl'));
    clients = Array.from({ length: 5 }, () => new pg.Client({ connectionString: database.url }));
    await Promise.all(clients.map((client) => client.connect()));
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.end()));
    await database.drop();
  });

  test('replicas migrating at the same moment apply each migration exactly once', async () => {
    const versions = loadMigrations().map((migration) => migration.version);
    expect(versions.length).toBeGreaterThan(0);
    const applied = await Promise.all(clients.map((client) => migrate(client)));
    expect(applied.filter((list) => list.length > 0)).toEqual([versions]);
    const { rows } = await clients[0]!.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((row) => row.version)).toEqual(versions);
    expect(await migrate(clients[1]!)).toEqual([]);
  });

  test('a schema newer than the code refuses to start, in one line, and changes nothing', async () => {
    await migrate(clients[0]!);
    await clients[0]!.query("INSERT INTO schema_migrations (version, name) VALUES (999, '999_from_the_future.sql')");
    const refused = migrate(clients[1]!);
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(
      /^The PostgreSQL database has schema version 999, newer than this threadstore knows \(\d+\): run the threadstore version that wrote it/,
    );
    const { rows } = await clients[0]!.query(
      'SELECT max(version) AS newest, count(*)::int AS done FROM schema_migrations',
    );
    expect(rows).toEqual([{ newest: 999, done: loadMigrations().length + 1 }]);
  });

  test('a failing migration leaves nothing behind and the lock free', async () => {
    const broken = [
      { version: 1, name: '001_broken.sql', sql: 'CREATE TABLE half (x int); SELECT no_such_function();' },
    ];
    await expect(migrate(clients[0]!, broken)).rejects.toThrow(/no_such_function/);
    const { rows } = await clients[1]!.query(
      "SELECT to_regclass('half') AS half, (SELECT count(*)::int FROM schema_migrations) AS done",
    );
    expect(rows).toEqual([{ half: null, done: 0 }]);
    expect(await migrate(clients[1]!)).toEqual(loadMigrations().map((migration) => migration.version));
  });
});
