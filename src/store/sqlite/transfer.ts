import type Database from 'better-sqlite3';
import type { ThreadObject } from '../../schemas/threads.js';
import { type StoredThreadRow, threadsInBatches } from '../engine/thread-batches.js';
import { PURGING_TENANT } from '../engine/thread-purge.js';
import type { ItemRecord, Store } from '../types.js';
import type { Write } from './group-commit.js';
import type { sqliteItems } from './items.js';
import type { RowCounts } from './row-counts.js';
import type { sqliteThreads } from './threads.js';

interface TransferParts {
  write: Write;
  counts: RowCounts;
  threads: ReturnType<typeof sqliteThreads>;
  items: ReturnType<typeof sqliteItems>;
}

/** Export reads every thread in batches; import writes a thread with its ids and timestamps. */
export function sqliteTransfer(
  db: Database.Database,
  { write, counts, threads, items }: TransferParts,
): Pick<Store['transfer'], 'threads' | 'importThread'> {
  const sql = {
    threadsFrom: db.prepare<{ after: number; tenant: string | null; limit: number }, StoredThreadRow>(
      `SELECT seq, id, tenant, created_at, metadata, tool_resources FROM threads
       WHERE seq > @after AND (@tenant IS NULL OR tenant = @tenant) AND tenant <> '${PURGING_TENANT}'
       ORDER BY seq LIMIT @limit`,
    ),
    threadExists: db.prepare<[string], { seq: number }>('SELECT seq FROM threads WHERE id = ?'),
    clearThreadTombstone: db.prepare<[string]>('DELETE FROM deleted_threads WHERE id = ?'),
  };

  // A thread or item restored after its delete is live again: its tombstone goes, so it can be deleted again.
  const importThread = db.transaction((tenant: string, thread: ThreadObject, records: ItemRecord[]) => {
    if (sql.threadExists.get(thread.id)) return false;
    sql.clearThreadTombstone.run(thread.id);
    const seq = threads.insertThread(tenant, thread);
    items.importItems(tenant, { seq, id: thread.id }, records);
    counts.added(1, records.length);
    return true;
  });

  return {
    threads: (tenant) =>
      threadsInBatches((after, limit) => sql.threadsFrom.all({ after, tenant: tenant ?? null, limit })),
    importThread: (tenant, thread, records) => write(importThread, tenant, thread, records),
  };
}
