import type pg from 'pg';
import { importedIdTaken } from '../../errors.js';
import type { ThreadObject } from '../../schemas/threads.js';
import { type StoredThreadRow, threadsInBatches } from '../shared/thread-batches.js';
import type { ItemRecord, Store } from '../types.js';
import { SQL } from './statements.js';
import { guard, toStoreError } from './store-errors.js';
import { pairArrays } from './threads.js';

/** Export reads every thread in batches; import writes a thread with its ids and timestamps, in one transaction. */
export function postgresTransfer(pool: pg.Pool): Store['transfer'] {
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
        await client.query(SQL.importItems, [
          seq,
          messages.map((m) => m.id),
          messages.map((m) => m.created_at),
          messages.map((m) => m.role),
          messages.map((m) => JSON.stringify(m.content)),
          messages.map((m) => JSON.stringify(m.attachments)),
          messages.map((m) => JSON.stringify(m.metadata)),
          messages.map((m) => m.status),
          messages.map((m) => (m.incomplete_details === null ? null : JSON.stringify(m.incomplete_details))),
          messages.map((m) => m.completed_at),
          messages.map((m) => m.incomplete_at),
          messages.map((m) => m.assistant_id),
          messages.map((m) => m.run_id),
          messages.map((m) => m.type),
          messages.map((m) => (m.item === null ? null : JSON.stringify(m.item))),
        ]);
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
