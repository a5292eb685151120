import Database from 'better-sqlite3';
import pg from 'pg';
import type { TestEngine } from './app.js';

/**
 * Rows of one read-only query on a test's database, either engine: for tests that check what is stored,
 * not only what the API shows. Write SQL both engines read alike.
 */
export async function queryDatabase<Row>(engine: TestEngine, databaseUrl: string, sql: string): Promise<Row[]> {
  if (engine === 'sqlite') {
    const db = new Database(databaseUrl, { readonly: true });
    try {
      return db.prepare(sql).all() as Row[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
  }
}
