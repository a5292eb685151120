import type Database from 'better-sqlite3';

/** Another connection holds the write lock: running the writes again one by one would only wait again. */
const isLockHeld = (error: unknown) => (error as { code?: unknown }).code === 'SQLITE_BUSY';

/**
 * Group commit: writes queued during one turn of the event loop run together in one transaction.
 * A write that throws rolls back alone: each is either one statement (atomic by itself in SQLite) or a
 * `db.transaction` function, which inside the batch runs as a savepoint. When the batch itself fails
 * (its COMMIT, or an error such as a full disk after which SQLite rolls the whole transaction back),
 * each write runs again in a transaction of its own, so only the writes that fail alone are rejected.
 * Every caller's promise settles only after its transaction has committed (or failed), so nothing is
 * acknowledged before it is as durable as a write committed alone; the commit, the expensive part, is
 * paid once per turn. One queue for every write keeps them in the order they were asked for.
 */
export function groupCommit(db: Database.Database) {
  interface Pending {
    // biome-ignore lint/suspicious/noExplicitAny: each queued write has its own argument types
    write: (...args: any[]) => unknown;
    args: unknown[];
    // biome-ignore lint/suspicious/noExplicitAny: each queued write has its own result type
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
        // SQLite ended the transaction itself (a full disk, an I/O error): the writes before are gone too.
        if (!db.inTransaction) throw error;
        return { ok: false as const, error };
      }
    }),
  );
  const runOne = db.transaction(({ write, args }: Pending) => write(...args));

  /** One write in a transaction of its own: a `db.transaction` function as its own transaction, not a savepoint in one. */
  function runAlone(pending: Pending) {
    const { write, args } = pending;
    try {
      const alone = (write as Partial<Database.Transaction>).immediate;
      pending.resolve(alone ? alone(...args) : runOne.immediate(pending));
    } catch (error) {
      pending.reject(error);
    }
  }

  function flush() {
    scheduled = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    if (batch.length === 1) return runAlone(batch[0]!);
    let outcomes: ReturnType<typeof runAll.immediate>;
    try {
      outcomes = runAll.immediate(batch);
    } catch (error) {
      if (batch.length === 1 || isLockHeld(error)) {
        for (const pending of batch) pending.reject(error);
      } else {
        for (const pending of batch) runAlone(pending);
      }
      return;
    }
    outcomes.forEach((outcome, i) => {
      if (outcome.ok) batch[i]!.resolve(outcome.value);
      else batch[i]!.reject(outcome.error);
    });
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

/** A write queued for the group commit, its failures mapped to the API's errors (sqlite-store.ts). */
export type Write = <A extends unknown[], T>(change: (...args: A) => T, ...args: A) => Promise<T>;
