import Database from 'better-sqlite3';
import type { TestEngine } from './app.js';
import { withClient } from './postgres.js';

/**
 * Rows of one read-only query on a test's database, either engine: for tests that check what is stored,
 * not only what the API shows. Write SQL both engines read alike.
 */
export async function queryDatabase<Row>(engine: TestEngine, databaseUrl: string, sql: string): Promise<Row[]> {
  if (engine === 'postgres') return withClient(databaseUrl, async (client) => (await client.query(sql)).rows as Row[]);
  const db = new Database(databaseUrl, { readonly: true });
  try {
    return db.prepare(sql).all() as Row[];
  } finally {
    db.close();
  }
}

/** Runs statements on a test's database, either engine: for tests that instrument it (a trigger, say). */
export async function executeOnDatabase(engine: TestEngine, databaseUrl: string, sql: string): Promise<void> {
  if (engine === 'postgres') return withClient(databaseUrl, async (client) => void (await client.query(sql)));
  const db = new Database(databaseUrl);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}
