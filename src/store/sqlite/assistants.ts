import type Database from 'better-sqlite3';
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
import { type Direction, readPage, whole } from '../engine/read-page.js';
import { UnknownAssistantCursor } from '../store-errors.js';
import type { AssistantChanges, IdempotencyKey, NewAssistant, Store } from '../types.js';
import type { Write } from './group-commit.js';
import type { SqliteIdempotency } from './idempotency.js';
import { guarded } from './store-errors.js';

interface AssistantRange {
  tenant: string;
  low: number;
  high: number;
  limit: number;
}

const COLUMNS = 'seq, id, created_at, settings';

const listSql = (direction: Direction) => `
  SELECT ${COLUMNS} FROM assistants
  WHERE tenant = @tenant AND seq > @low AND seq < @high
  ORDER BY seq ${direction} LIMIT @limit`;

/** A tenant's assistants; a delete leaves a tombstone so a cursor naming it keeps its place. */
export function sqliteAssistants(db: Database.Database, write: Write, idempotency: SqliteIdempotency) {
  const sql = {
    insert: db.prepare<[string, string, number, string]>(
      'INSERT INTO assistants (id, tenant, created_at, settings) VALUES (?, ?, ?, ?)',
    ),
    byId: db.prepare<[string, string], AssistantColumns & { seq: number }>(
      `SELECT ${COLUMNS} FROM assistants WHERE id = ? AND tenant = ?`,
    ),
    exists: db.prepare<[string], { seq: number }>('SELECT seq FROM assistants WHERE id = ?'),
    clearTombstone: db.prepare<[string]>('DELETE FROM deleted_assistants WHERE id = ?'),
    updateSettings: db.prepare<[string, string, string]>(
      'UPDATE assistants SET settings = ? WHERE id = ? AND tenant = ?',
    ),
    remove: db.prepare<[string, string], { seq: number }>(
      'DELETE FROM assistants WHERE id = ? AND tenant = ? RETURNING seq',
    ),
    insertTombstone: db.prepare<[string, string, number]>(
      'INSERT OR REPLACE INTO deleted_assistants (id, tenant, seq) VALUES (?, ?, ?)',
    ),
    cursorSeq: db.prepare<{ id: string; tenant: string }, { seq: number }>(
      `SELECT seq FROM assistants WHERE id = @id AND tenant = @tenant
       UNION ALL SELECT seq FROM deleted_assistants WHERE id = @id AND tenant = @tenant`,
    ),
    listAscending: db.prepare<AssistantRange, AssistantColumns & { seq: number }>(listSql('ASC')),
    listDescending: db.prepare<AssistantRange, AssistantColumns & { seq: number }>(listSql('DESC')),
    count: db.prepare<[], number>('SELECT count(*) FROM assistants').pluck(),
    from: db.prepare<{ after: number; tenant: string | null; limit: number }, StoredAssistantRow>(
      `SELECT seq, id, tenant, created_at, settings FROM assistants
       WHERE seq > @after AND (@tenant IS NULL OR tenant = @tenant) ORDER BY seq LIMIT @limit`,
    ),
  };

  const create = db.transaction((tenant: string, settings: NewAssistant, key?: IdempotencyKey) => {
    const recorded = idempotency.recorded(tenant, key);
    if (recorded !== undefined) return JSON.parse(recorded) as AssistantRecord;
    const assistant = assistantOf(newId('asst'), now(), settings);
    sql.insert.run(assistant.id, tenant, assistant.created_at, settingsOf(assistant));
    return idempotency.record(tenant, key, assistant, objectOf(assistant));
  });

  const update = db.transaction((tenant: string, assistantId: string, changes: AssistantChanges) => {
    const row = sql.byId.get(assistantId, tenant);
    if (!row) return undefined;
    const assistant = changed(toAssistant(row), changes);
    sql.updateSettings.run(settingsOf(assistant), assistantId, tenant);
    return assistant;
  });

  const remove = db.transaction((tenant: string, assistantId: string) => {
    const row = sql.remove.get(assistantId, tenant);
    if (!row) return false;
    sql.insertTombstone.run(assistantId, tenant, row.seq);
    idempotency.neuterOwn(tenant, assistantId);
    return true;
  });

  // An imported assistant keeps its id and time; it joins its tenant's list at the end. One restored after
  // its delete is live again: its tombstone goes, so it can be deleted again.
  const importAssistant = db.transaction((tenant: string, assistant: AssistantRecord) => {
    if (sql.exists.get(assistant.id)) return false;
    sql.clearTombstone.run(assistant.id);
    sql.insert.run(assistant.id, tenant, assistant.created_at, settingsOf(assistant));
    return true;
  });

  function cursor(param: 'after' | 'before', id: string | undefined, tenant: string): number | undefined {
    if (id === undefined) return undefined;
    const row = sql.cursorSeq.get({ id, tenant });
    if (!row) throw new UnknownAssistantCursor(param, id);
    return row.seq;
  }

  const store: Store['assistants'] = {
    create: (tenant, settings, key) => write(create, tenant, settings, key),
    get: guarded(async (tenant: string, assistantId: string) => {
      const row = sql.byId.get(assistantId, tenant);
      return row && toAssistant(row);
    }),
    update: (tenant, assistantId, changes) => write(update, tenant, assistantId, changes),
    delete: (tenant, assistantId) => write(remove, tenant, assistantId),
    list: guarded(async (tenant, query) => {
      const after = cursor('after', query.after, tenant);
      const before = cursor('before', query.before, tenant);
      const page = await readPage(query, after, before, (direction, low, high, limit) =>
        whole((direction === 'ASC' ? sql.listAscending : sql.listDescending).all({ tenant, low, high, limit })),
      );
      return { data: page.data.map(toAssistant), has_more: page.has_more };
    }),
  };

  const transfer = {
    assistants: (tenant?: string) =>
      assistantsInBatches((after, limit) => sql.from.all({ after, tenant: tenant ?? null, limit })),
    importAssistant: (tenant: string, assistant: AssistantRecord) => write(importAssistant, tenant, assistant),
  };
  /** How many assistants are stored: a count of a table of settings, small beside the messages. */
  const count = () => sql.count.get()!;
  return { store, transfer, count };
}
