import type Database from 'better-sqlite3';
import { now } from '../engine/clock.js';
import {
  deletedObject,
  IDEMPOTENCY_WINDOW,
  PURGE_BATCH,
  type RecordedObject,
  recordValues,
} from '../engine/idempotency-records.js';
import { IdempotencyConflict } from '../store-errors.js';
import type { IdempotencyKey } from '../types.js';

/** The Idempotency-Key records: read and written inside the create's transaction. */
export function sqliteIdempotency(db: Database.Database) {
  const sql = {
    record: db.prepare<
      [string, string],
      { fingerprint: string; response: string | null; thread_id: string; object_id: string; created_at: number }
    >(
      'SELECT fingerprint, response, thread_id, object_id, created_at FROM idempotency_keys WHERE tenant = ? AND key = ?',
    ),
    write: db.prepare<[string, string, string, string, string, string, number]>(
      `INSERT OR REPLACE INTO idempotency_keys (tenant, key, fingerprint, response, thread_id, object_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    /** A deleted object's record stays, without its response, so a replay answers 404 and creates nothing. */
    neuter: db.prepare<[string, string, string]>(
      'UPDATE idempotency_keys SET response = NULL WHERE thread_id = ? AND object_id = ? AND tenant = ?',
    ),
    /** The records of a deleted thread's messages: a replay finds no thread, as a first try would. */
    forgetThreadMessages: db.prepare<[string, string, string]>(
      'DELETE FROM idempotency_keys WHERE thread_id = ? AND object_id <> ? AND tenant = ?',
    ),
    purge: db.prepare<[number, number]>(
      `DELETE FROM idempotency_keys WHERE (tenant, key) IN (
         SELECT tenant, key FROM idempotency_keys WHERE created_at <= ? ORDER BY created_at LIMIT ?)`,
    ),
  };

  return {
    /** The response recorded for this key within the window; throws when the key came with another request. */
    recorded(tenant: string, idempotency: IdempotencyKey | undefined): string | undefined {
      if (!idempotency) return undefined;
      const record = sql.record.get(tenant, idempotency.key);
      if (!record || record.created_at <= now() - IDEMPOTENCY_WINDOW) return undefined;
      if (record.fingerprint !== idempotency.fingerprint) throw new IdempotencyConflict();
      if (record.response === null) throw deletedObject(record);
      return record.response;
    },
    record<T>(tenant: string, idempotency: IdempotencyKey | undefined, response: T, object: RecordedObject): T {
      if (idempotency) sql.write.run(...recordValues(tenant, idempotency, response, object));
      return response;
    },
    neuter: (tenant: string, { thread_id, object_id }: RecordedObject) => sql.neuter.run(thread_id, object_id, tenant),
    /** A thread's delete: its own record neutered, its messages' removed. */
    forgetThread(tenant: string, threadId: string) {
      sql.neuter.run(threadId, threadId, tenant);
      sql.forgetThreadMessages.run(threadId, threadId, tenant);
    },
    purgeExpired: () => sql.purge.run(now() - IDEMPOTENCY_WINDOW, PURGE_BATCH).changes,
  };
}

export type SqliteIdempotency = ReturnType<typeof sqliteIdempotency>;
