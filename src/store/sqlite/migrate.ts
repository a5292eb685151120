import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { ItemViews } from '../records.js';
import { fillItemJson } from './fill-item-json.js';
import { addRunLeaseColumns } from './run-lease-columns.js';

/** Same depth from src/store/sqlite and dist/store/sqlite. */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/sqlite/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** What SQL cannot do, run after `sql` in the same transaction (with the views, to render stored answers). */
  step?: (db: Database.Database, views?: ItemViews) => void;
  /** What SQL cannot do that `sql` needs, run before it in the same transaction. */
  before?: (db: Database.Database) => void;
}

/** Migrations' code steps, by version. */
const STEPS: Record<number, NonNullable<Migration['step']>> = { 6: fillItemJson };
/** Migrations' code run before their SQL, by version. */
const BEFORE: Record<number, NonNullable<Migration['before']>> = { 11: addRunLeaseColumns };

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .map((file) => {
      const version = Number.parseInt(file, 10);
      return {
        version,
        name: file,
        sql: readFileSync(join(dir, file), 'utf8'),
        step: STEPS[version],
        before: BEFORE[version],
      };
    })
    .sort((a, b) => a.version - b.version);
  // Two files with one number: the second would be skipped silently once the first is recorded.
  const clash = migrations.find((m, i) => i > 0 && m.version === migrations[i - 1]!.version);
  if (clash) throw new Error(`Two migrations are numbered ${clash.version} in ${dir}`);
  return migrations;
}

/**
 * Applies, in order, each migration newer than the database's `user_version`, each in its own
 * transaction that also records its number. IMMEDIATE makes processes that start together take turns.
 */
export function migrate(db: Database.Database, migrations = loadMigrations(), views?: ItemViews): number[] {
  const applied: number[] = [];
  for (const migration of migrations) {
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (migration.version <= current) return;
      migration.before?.(db);
      db.exec(migration.sql);
      migration.step?.(db, views);
      db.pragma(`user_version = ${migration.version}`);
      applied.push(migration.version);
    }).immediate();
  }
  return applied;
}
