import type pg from 'pg';
import { newId } from '../../ids.js';
import type { AssistantRecord } from '../run-records.js';
import {
  type AssistantColumns,
  assistantOf,
  assistantsInBatches,
  changed,
  type StoredAssistantRow,
  settingsOf,
  toAssistant,
} from '../engine/assistant-row.js';
import { now } from '../engine/clock.js';
import { objectOf } from '../engine/idempotency-records.js';
import { readPage, whole } from '../engine/read-page.js';
import { UnknownAssistantCursor } from '../store-errors.js';
import type { AssistantChanges, Store } from '../types.js';
import type { PostgresIdempotency, Queryable } from './idempotency.js';
import { ASSISTANT_SQL as SQL } from './statements/assistants.js';
import { guard, unstorable } from './store-errors.js';

/** A tenant's assistants; a delete leaves a tombstone so a cursor naming it keeps its place. */
export function postgresAssistants(pool: pg.Pool, { idempotent }: PostgresIdempotency) {
  async function insert(db: Queryable, tenant: string, assistant: AssistantRecord): Promise<AssistantRecord> {
    const values = [assistant.id, tenant, assistant.created_at, settingsOf(assistant)];
    const { rows } = await db.query<{ created_at: number }>(SQL.insert, values);
    return { ...assistant, created_at: rows[0]!.created_at };
  }

  async function cursor(param: 'after' | 'before', id: string | undefined, tenant: string) {
    if (id === undefined) return undefined;
    const row = unstorable(id, tenant)
      ? undefined
      : (await pool.query<{ position: number }>(SQL.cursor, [id, tenant])).rows[0];
    if (!row) throw new UnknownAssistantCursor(param, id);
    return row.position;
  }

  /** Read, change and write back under the row's lock: two modifies of one assistant take turns. */
  async function update(tenant: string, assistantId: string, changes: AssistantChanges) {
    if (unstorable(tenant, assistantId)) return undefined;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const row = (await client.query<AssistantColumns>(SQL.byIdForUpdate, [assistantId, tenant])).rows[0];
      const assistant = row && changed(toAssistant(row), changes);
      if (assistant) await client.query(SQL.updateSettings, [assistantId, tenant, settingsOf(assistant)]);
      await client.query('COMMIT');
      return assistant;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  const store: Store['assistants'] = {
    create: guard(async (tenant, settings, idempotency) => {
      const create = {
        items: [],
        write: (db: Queryable) => insert(db, tenant, assistantOf(newId('asst'), now(), settings)),
        objectOf,
        replayed: (response: string) => JSON.parse(response) as AssistantRecord,
      };
      return (await idempotent(tenant, idempotency, create))!;
    }),
    get: guard(async (tenant, assistantId) => {
      if (unstorable(tenant, assistantId)) return undefined;
      const row = (await pool.query<AssistantColumns>(SQL.byId, [assistantId, tenant])).rows[0];
      return row && toAssistant(row);
    }),
    update: guard(update),
    delete: guard(async (tenant, assistantId) => {
      if (unstorable(tenant, assistantId)) return false;
      return ((await pool.query(SQL.delete, [assistantId, tenant])).rowCount ?? 0) > 0;
    }),
    list: guard(async (tenant, query) => {
      const after = await cursor('after', query.after, tenant);
      const before = await cursor('before', query.before, tenant);
      const page = await readPage(query, after, before, async (direction, low, high, limit) =>
        whole((await pool.query<AssistantColumns>(SQL.list(direction), [tenant, low, high, limit])).rows),
      );
      return { data: page.data.map(toAssistant), has_more: page.has_more };
    }),
  };

  const transfer = {
    assistants: (tenant?: string) =>
      assistantsInBatches(
        async (after, limit) => (await pool.query<StoredAssistantRow>(SQL.from, [after, tenant ?? null, limit])).rows,
      ),
    importAssistant: guard(async (tenant: string, assistant: AssistantRecord) => {
      const values = [assistant.id, tenant, assistant.created_at, settingsOf(assistant)];
      return ((await pool.query(SQL.importAssistant, values)).rowCount ?? 0) > 0;
    }),
  };
  return { store, transfer };
}
