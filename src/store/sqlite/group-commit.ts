import type Database from 'better-sqlite3';

/**
 * Group commit: writes queued during one turn of the event loop run together in one transaction.
 * A write that throws rolls back alone: each is either one statement (atomic by itself in SQLite) or a
 * `db.transaction` function, which inside the batch runs as a savepoint. Every caller's promise
 * settles only after that transaction has committed (or failed), so nothing is acknowledged before
 * it is as durable as a write committed alone; the commit, the expensive part, is paid once per turn.
 * One queue for every write keeps them in the order they were asked for.
 */
export function groupCommit(db: Database.Database) {
  interface Pending {
    write: (...args: any[]) => unknown;
    args: unknown[];
    resolve: (value: any) => void;
    reject: (error: unknown) => void;
  }
  let queue: Pending[] = [];
  let scheduled: NodeJS.Immediate | undefined;

  const runAll = db.transaction((batch: Pending[]) =>
    batch.map(({ write, args }) => {
      try {
        return { ok: true as const, value: write(...args) };
      } catch (error) {
        return { ok: false as const, error };
      }
    }),
  );

  function flush() {
    scheduled = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    let outcomes;
    try {
      outcomes = runAll.immediate(batch);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) => (outcome.ok ? batch[i]!.resolve(outcome.value) : batch[i]!.reject(outcome.error)));
  }

  return {
    /**
     * Queues `write(...args)`; resolves to its result once committed. `write` makes at most one change
     * (reads aside), or is a `db.transaction` function: a savepoint costs two more statements per write.
     */
    run<A extends unknown[], T>(write: (...args: A) => T, ...args: A): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ write, args, resolve, reject });
        scheduled ??= setImmediate(flush);
      });
    },
    /** Commits whatever is queued now, e.g. before the database closes. */
    flush() {
      if (scheduled) clearImmediate(scheduled);
      flush();
    },
  };
}
