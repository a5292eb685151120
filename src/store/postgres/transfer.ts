import type pg from 'pg';
import { importedIdTaken } from '../../errors.js';
import type { ThreadObject } from '../../schemas/threads.js';
import { type StoredThreadRow, threadsInBatches } from '../engine/thread-batches.js';
import type { ItemRecord, Store } from '../types.js';
import { SQL } from './statements.js';
import { guard, toStoreError } from './store-errors.js';
import { pairArrays } from './threads.js';

/** Rows per insert: a thread of any size imports in statements that each stay far inside the statement timeout. */
const IMPORT_BATCH = 5_000;

/** The import statement's parameters after the thread's seq: one array per column. */
const itemColumns = (items: ItemRecord[]) => [
  items.map((m) => m.id),
  items.map((m) => m.created_at),
  items.map((m) => m.role),
  items.map((m) => JSON.stringify(m.content)),
  items.map((m) => JSON.stringify(m.attachments)),
  items.map((m) => JSON.stringify(m.metadata)),
  items.map((m) => m.status),
  items.map((m) => (m.incomplete_details === null ? null : JSON.stringify(m.incomplete_details))),
  items.map((m) => m.completed_at),
  items.map((m) => m.incomplete_at),
  items.map((m) => m.assistant_id),
  items.map((m) => m.run_id),
  items.map((m) => m.type),
  items.map((m) => (m.item === null ? null : JSON.stringify(m.item))),
];

/** Export reads every thread in batches; import writes a thread with its ids and timestamps, in one transaction. */
export function postgresTransfer(pool: pg.Pool): Pick<Store['transfer'], 'threads' | 'importThread'> {
  async function importThread(tenant: string, thread: ThreadObject, messages: ItemRecord[]): Promise<boolean> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query<{ seq: number; position: number }>(SQL.importThread, [
        thread.id,
        tenant,
        thread.created_at,
        JSON.stringify(thread.metadata),
        JSON.stringify(thread.tool_resources),
        messages.length,
        messages.reduce((latest, m) => Math.max(latest, m.created_at), thread.created_at),
      ]);
      const seq = inserted.rows[0]?.seq;
      if (seq !== undefined) {
        await client.query(SQL.clearTombstones, [thread.id, messages.map((m) => m.id), tenant]);
        await client.query(SQL.insertPairs, [tenant, inserted.rows[0]!.position, seq, ...pairArrays(thread.metadata)]);
        const ids = messages.map((m) => m.id);
        const seen = new Set<string>();
        const repeated = ids.find((id) => seen.has(id) || !seen.add(id));
        const taken = (await client.query<{ id: string }>(SQL.itemIdsTaken, [tenant, ids])).rows[0]?.id ?? repeated;
        if (taken !== undefined) throw importedIdTaken(taken);
        for (let start = 0; start < messages.length; start += IMPORT_BATCH) {
          await client.query(SQL.importItems, [
            seq,
            ...itemColumns(messages.slice(start, start + IMPORT_BATCH)),
            start,
          ]);
        }
      }
      await client.query('COMMIT');
      return seq !== undefined;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  return {
    threads: (tenant) =>
      threadsInBatches(async (after, limit) => {
        const query = pool.query<StoredThreadRow>(SQL.threadsFrom, [after, tenant ?? null, limit]);
        return (await query.catch((error) => Promise.reject(toStoreError(error)))).rows;
      }),
    importThread: guard(importThread),
  };
}
