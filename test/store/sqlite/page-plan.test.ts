// SQLite keeps no statistics unless ANALYZE runs, so each page statement names its index. The thread view's
// reads the index of the rows it shows (migration 008): through the thread's whole index, a page walked every
// item of other types lying between its messages (0.65-0.73 s per page over 800,000 function calls).
import Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { itemListSql, itemRange } from '../../../src/store/sqlite/items.js';
import { migrate } from '../../../src/store/sqlite/migrate.js';

const cases = (['ASC', 'DESC'] as const).flatMap((direction) =>
  (['rows', 'sizes', 'json'] as const).flatMap((read) =>
    (['thread', 'all'] as const).map((view) => ({ direction, read, view })),
  ),
);

test.each(cases)('a page ($direction, $read, view $view) is one range of its index', ({ direction, read, view }) => {
  const db = new Database(':memory:');
  migrate(db);
  const plan = db
    .prepare(`EXPLAIN QUERY PLAN ${itemListSql(direction, false, read, view)}`)
    .all(...itemRange(1, undefined, 0, 10, 21)) as { detail: string }[];
  db.close();
  const index = view === 'thread' ? 'messages_in_thread_view' : 'messages_by_thread';
  expect(plan.map((step) => step.detail)).toEqual([
    `SEARCH messages USING INDEX ${index} (thread_seq=? AND seq>? AND seq<?)`,
  ]);
});
