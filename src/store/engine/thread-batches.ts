import type { StoredThread } from '../types.js';
import { type ThreadColumns, toThread } from './thread-row.js';

/** Rows read per statement by an export or a copy. */
const BATCH = 500;

/** A thread row as the transfer reads it: its position in the table and its tenant too. */
export interface StoredThreadRow extends ThreadColumns {
  seq: number;
  tenant: string;
}

/** Every row that `read` finds after a seq, oldest first, a batch at a time, each as `map` makes it. */
export async function* rowsInBatches<Row extends { seq: number }, T>(
  read: (after: number, limit: number) => Row[] | Promise<Row[]>,
  map: (row: Row) => T,
): AsyncIterable<T> {
  let after = 0;
  for (;;) {
    const rows = await read(after, BATCH);
    for (const row of rows) yield map(row);
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.seq;
  }
}

/** Every thread that `read` finds after a seq, oldest first, a batch at a time. */
export const threadsInBatches = (
  read: (after: number, limit: number) => StoredThreadRow[] | Promise<StoredThreadRow[]>,
): AsyncIterable<StoredThread> => rowsInBatches(read, (row) => ({ tenant: row.tenant, thread: toThread(row) }));
