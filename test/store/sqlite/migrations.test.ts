import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { loadMigrations, migrate } from '../../../src/store/sqlite/migrate.js';
import { createThread } from '../../helpers/api.js';
import { buildTestApp } from '../../helpers/app.js';

let dir: string;
let migrationsDir: string;
let db: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'threadstore-migrations-'));
  migrationsDir = join(dir, 'migrations');
  mkdirSync(migrationsDir);
  db = new Database(join(dir, 'test.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeMigrations(files: Record<string, string>) {
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(migrationsDir, name), sql);
}

const userVersion = () => db.pragma('user_version', { simple: true });
const values = () => db.prepare('SELECT * FROM notes ORDER BY id').all() as object[];

test('applies numbered files in numeric order and records the version', () => {
  writeMigrations({
    '10_add_column.sql': "ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT 'none';",
    '2_seed.sql': "INSERT INTO notes (id, body) VALUES (1, 'first');",
    '001_create.sql': 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;',
    'README.md': 'not a migration',
    'notes.sql': 'not numbered: SELECT nonsense;',
  });
  const migrations = loadMigrations(migrationsDir);
  expect(migrations.map((m) => [m.version, m.name])).toEqual([
    [1, '001_create.sql'],
    [2, '2_seed.sql'],
    [10, '10_add_column.sql'],
  ]);
  expect(migrate(db, migrations)).toEqual([1, 2, 10]);
  expect(userVersion()).toBe(10);
  expect(values()).toEqual([{ id: 1, body: 'first', tag: 'none' }]);
});

test('is idempotent: a second run applies nothing', () => {
  writeMigrations({
    '001_create.sql': 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;',
    '002_seed.sql': "INSERT INTO notes (id, body) VALUES (1, 'only once');",
  });
  expect(migrate(db, loadMigrations(migrationsDir))).toEqual([1, 2]);
  expect(migrate(db, loadMigrations(migrationsDir))).toEqual([]);
  expect(userVersion()).toBe(2);
  expect(values()).toEqual([{ id: 1, body: 'only once' }]);
});

test('upgrades an existing database in place, keeping its data', () => {
  writeMigrations({ '001_create.sql': 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;' });
  migrate(db, loadMigrations(migrationsDir));
  db.prepare("INSERT INTO notes (id, body) VALUES (1, 'user data')").run();
  writeMigrations({
    '002_tag.sql': "ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT 'old';",
    '003_index.sql': 'CREATE INDEX notes_by_tag ON notes (tag);',
  });
  expect(migrate(db, loadMigrations(migrationsDir))).toEqual([2, 3]);
  expect(userVersion()).toBe(3);
  expect(values()).toEqual([{ id: 1, body: 'user data', tag: 'old' }]);
});

test('a failing migration changes nothing and stops the run', () => {
  writeMigrations({ '001_create.sql': 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;' });
  migrate(db, loadMigrations(migrationsDir));
  writeMigrations({
    '002_broken.sql': 'CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);',
    '003_after.sql': 'CREATE TABLE later (x INTEGER);',
  });
  expect(() => migrate(db, loadMigrations(migrationsDir))).toThrow(/nowhere/);
  expect(userVersion()).toBe(1);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  expect(tables).toEqual([{ name: 'notes' }]);
});

test("the app's own migrations: a fresh database ends at the newest version; a restart keeps it", async () => {
  const newest = Math.max(...loadMigrations().map((m) => m.version));
  const first = await buildTestApp();
  const thread = await createThread(first.app);
  await first.app.close();
  const file = new Database(first.dbPath, { readonly: true });
  expect(file.pragma('user_version', { simple: true })).toBe(newest);
  file.close();
  const second = await buildTestApp({}, { dbPath: first.dbPath });
  expect((await second.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}` })).json()).toEqual(thread);
  await second.close();
  await first.close();
});

test('two files with the same number are refused', () => {
  writeMigrations({ '002_a.sql': 'SELECT 1;', '02_b.sql': 'SELECT 2;', '001_c.sql': 'SELECT 3;' });
  expect(() => loadMigrations(migrationsDir)).toThrow(`Two migrations are numbered 2 in ${migrationsDir}`);
});

test('a database written by the app upgrades in place when a new migration appears', async () => {
  const app = await buildTestApp();
  const thread = await createThread(app.app, {
    metadata: { keep: 'me' },
    messages: [{ role: 'user', content: 'hello' }],
  });
  await app.app.close();
  const current = loadMigrations();
  const next = Math.max(...current.map((m) => m.version)) + 1;
  const appDb = new Database(app.dbPath);
  const applied = migrate(appDb, [
    ...current,
    {
      version: next,
      name: `${next}_note.sql`,
      sql: "ALTER TABLE threads ADD COLUMN note TEXT NOT NULL DEFAULT 'upgraded';",
    },
  ]);
  expect(applied).toEqual([next]);
  expect(appDb.prepare('SELECT id, metadata, note FROM threads').all()).toEqual([
    { id: thread.id, metadata: '{"keep":"me"}', note: 'upgraded' },
  ]);
  expect(appDb.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 1 });
  appDb.close();
  await app.close();
});
