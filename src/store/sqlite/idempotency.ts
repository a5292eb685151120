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
    clearItems: db.prepare<[string, string]>('DELETE FROM idempotency_objects WHERE tenant = ? AND key = ?'),
    writeItem: db.prepare<[string, string, string]>(
      'INSERT OR IGNORE INTO idempotency_objects (tenant, key, object_id) VALUES (?, ?, ?)',
    ),
    /**
     * A deleted item's records stay, without their response, so a replay answers 404 (naming that item) and
     * creates nothing: every record that answers with it, not only one that answers with it first.
     */
    neuterItem: db.prepare<{ tenant: string; item: string }>(
      `UPDATE idempotency_keys SET response = NULL, object_id = @item WHERE (tenant, key) IN (
         SELECT tenant, key FROM idempotency_objects WHERE tenant = @tenant AND object_id = @item)`,
    ),
    neuterThread: db.prepare<[string, string]>(
      'UPDATE idempotency_keys SET response = NULL WHERE thread_id = ? AND object_id = thread_id AND tenant = ?',
    ),
    /** The records of a deleted thread's items: a replay finds no thread, as a first try would. */
    threadItemRecords: db.prepare<[string, string], { key: string }>(
      'SELECT key FROM idempotency_keys WHERE thread_id = ? AND object_id <> thread_id AND tenant = ?',
    ),
    forget: db.prepare<[string, string]>('DELETE FROM idempotency_keys WHERE tenant = ? AND key = ?'),
    expired: db.prepare<[number, number], { tenant: string; key: string }>(
      'SELECT tenant, key FROM idempotency_keys WHERE created_at <= ? ORDER BY created_at LIMIT ?',
    ),
  };

  function forget(tenant: string, key: string) {
    sql.clearItems.run(tenant, key);
    sql.forget.run(tenant, key);
  }

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
      if (!idempotency) return response;
      sql.write.run(...recordValues(tenant, idempotency, response, object));
      sql.clearItems.run(tenant, idempotency.key);
      for (const item of object.items ?? []) sql.writeItem.run(tenant, idempotency.key, item);
      return response;
    },
    neuterItem: (tenant: string, item: string) => sql.neuterItem.run({ tenant, item }),
    /** A thread's or an assistant's delete: the record that made it answers its 404 from now on. */
    neuterOwn: (tenant: string, id: string) => sql.neuterThread.run(id, tenant),
    /** A thread's delete: its own record neutered, its items' removed. */
    forgetThread(tenant: string, threadId: string) {
      sql.neuterThread.run(threadId, tenant);
      for (const { key } of sql.threadItemRecords.all(threadId, tenant)) forget(tenant, key);
    },
    purgeExpired: db.transaction(() => {
      const expired = sql.expired.all(now() - IDEMPOTENCY_WINDOW, PURGE_BATCH);
      for (const { tenant, key } of expired) forget(tenant, key);
      return expired.length;
    }),
  };
}

export type SqliteIdempotency = ReturnType<typeof sqliteIdempotency>;
