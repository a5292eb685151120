import type Database from 'better-sqlite3';

/**
 * How many threads and items are stored (migration 003's row_counts): every insert adds itself in its
 * own transaction; deletes are counted by the migration's triggers. Two rows read, never a table counted.
 */
export function rowCounts(db: Database.Database) {
  const sql = {
    countInserted: db.prepare<{ threads: number; messages: number }>(
      "UPDATE row_counts SET n = n + (CASE name WHEN 'threads' THEN @threads ELSE @messages END)",
    ),
    stats: db.prepare<[], { threads: number; messages: number }>(
      `SELECT (SELECT n FROM row_counts WHERE name = 'threads') AS threads,
              (SELECT n FROM row_counts WHERE name = 'messages') AS messages`,
    ),
  };
  return {
    added: (threads: number, messages: number) => sql.countInserted.run({ threads, messages }),
    read: () => sql.stats.get()!,
  };
}

export type RowCounts = ReturnType<typeof rowCounts>;
