// SQLite keeps no statistics unless ANALYZE runs, so its planner guesses: a lookup of one item must name
// the id index, or it walks the item's whole thread (13 ms per retrieve in a thread of 20,000 messages).
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { ITEM_BY_ID_COLUMNS, itemByIdSql } from '../../../src/store/sqlite/items.js';
import { migrate } from '../../../src/store/sqlite/migrate.js';

test.each(Object.entries(ITEM_BY_ID_COLUMNS))('an item read by id (%s) goes through messages_by_id', (_, columns) => {
  const db = new Database(':memory:');
  migrate(db);
  const plan = db
    .prepare(`EXPLAIN QUERY PLAN ${itemByIdSql(columns)}`)
    .all({ id: 'msg_x', threadId: 'thread_x', tenant: '', all: 0 }) as { detail: string }[];
  db.close();
  // Both tables by a key: the thread by its unique id, the item by the id index (joined to the thread
  // outer, so a missing item reads as a row of nulls), in either order.
  expect(plan.map((step) => step.detail).sort()).toEqual([
    expect.stringMatching(/^SEARCH m USING INDEX messages_by_id \(id=\?\)( LEFT-JOIN)?$/),
    expect.stringMatching(
      /^SEARCH t USING (INTEGER PRIMARY KEY \(rowid=\?\)|INDEX sqlite_autoindex_threads_1 \(id=\?\))$/,
    ),
  ]);
});
