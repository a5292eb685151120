import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { ConfigError } from '../../config.js';

/** Same depth from src/store/postgres and dist/store/postgres. */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/postgres/', import.meta.url));

/** Any fixed number: the advisory lock that makes replicas starting together take turns. */
const MIGRATION_LOCK = 7_462_017_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .map((file) => ({ version: Number.parseInt(file, 10), name: file, sql: readFileSync(dir + file, 'utf8') }))
    .sort((a, b) => a.version - b.version);
}

/**
 * Applies, in order, each migration not yet recorded in `schema_migrations`, each in its own transaction
 * that also records it. The whole run holds a session advisory lock (scoped to this database), so a
 * replica that starts meanwhile waits, then finds nothing left to do. Give it a client without a
 * statement timeout: waiting for the lock, or a long migration, must not be cut short.
 */
export async function migrate(client: pg.ClientBase, migrations = loadMigrations()): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    const known = migrations.at(-1)?.version ?? 0;
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new ConfigError(
        `The PostgreSQL database has schema version ${newest}, newer than this threadstore knows (${known}): run the threadstore version that wrote it (or newer), or restore a backup taken before the upgrade.`,
      );
    }
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
}
