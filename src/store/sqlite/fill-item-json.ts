import type Database from 'better-sqlite3';
import type { ItemViews } from '../records.js';
import { ITEM_COLUMNS, type ItemRow, toRecord } from './item-rows.js';

/** Rows rendered per statement: memory stays bounded on a database of millions. */
const BATCH = 1_000;

/**
 * Migration 006's code step: every stored item's answers, rendered as a write renders them (by `views`,
 * which only a database holding items needs).
 */
export function fillItemJson(db: Database.Database, views?: ItemViews): void {
  const read = db
    .prepare<[number, number], [string, ...ItemRow]>(
      `SELECT t.id, ${ITEM_COLUMNS.replace(/(\w+)/g, 'm.$1')} FROM messages m JOIN threads t ON t.seq = m.thread_seq
       WHERE m.seq > ? ORDER BY m.seq LIMIT ?`,
    )
    .raw();
  const write = db.prepare<[string | null, string, number]>(
    'UPDATE messages SET thread_json = ?, item_json = ? WHERE seq = ?',
  );
  for (let after = 0; ; ) {
    const rows = read.all(after, BATCH);
    if (rows.length === 0) return;
    if (!views) throw new Error('migration 6 renders the stored items: open the database with the item views');
    for (const [threadId, ...row] of rows) {
      const json = views.answers(toRecord(row), threadId);
      write.run(json.thread, json.item, row[0]);
    }
    after = rows.at(-1)![1];
  }
}
