import type Database from 'better-sqlite3';
import { backgroundPurge, PURGING_TENANT } from '../engine/thread-purge.js';
import type { Write } from './group-commit.js';

/** Items a thread purge deletes per statement (each up to the body limit in size), and its time slice per write. */
const THREAD_PURGE_BATCH = 16;
const THREAD_PURGE_SLICE_MS = 10;

/** The background purge of deleted threads' rows (thread-purge.ts), one short write at a time. */
export function sqlitePurge(db: Database.Database, write: Write) {
  const sql = {
    threadsToPurge: db
      .prepare<[], number>(`SELECT seq FROM threads WHERE tenant = '${PURGING_TENANT}' ORDER BY seq`)
      .pluck(),
    purgeMessages: db.prepare<[number, number]>(
      'DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE thread_seq = ? ORDER BY seq LIMIT ?)',
    ),
    /** Tombstone ids are unique per thread only: the thread's own are matched by (thread_seq, id). */
    purgeMessageTombstones: db.prepare<[number, number]>(
      'DELETE FROM deleted_messages WHERE (thread_seq, id) IN (SELECT thread_seq, id FROM deleted_messages WHERE thread_seq = ? LIMIT ?)',
    ),
    deletePurgedThread: db.prepare<[number]>(`DELETE FROM threads WHERE seq = ? AND tenant = '${PURGING_TENANT}'`),
  };

  /** Deletes a hidden thread's rows a few at a time for up to THREAD_PURGE_SLICE_MS; true once the thread is gone. */
  const purgeStep = db.transaction((seq: number) => {
    const started = performance.now();
    do {
      if (sql.purgeMessages.run(seq, THREAD_PURGE_BATCH).changes > 0) continue;
      if (sql.purgeMessageTombstones.run(seq, THREAD_PURGE_BATCH).changes > 0) continue;
      sql.deletePurgedThread.run(seq);
      return true;
    } while (performance.now() - started < THREAD_PURGE_SLICE_MS);
    return false;
  });

  // A failed step (the file locked by another process, say) is retried at the next delete or open.
  return backgroundPurge(
    { pending: async () => sql.threadsToPurge.all(), step: (seq) => write(purgeStep, seq) },
    () => undefined,
  );
}
