import { messageNotFound, threadNotFound } from '../../errors.js';
import type { MessageObject } from '../../schemas/messages.js';
import type { ItemRecord } from '../records.js';
import { AssistantNotFound } from '../store-errors.js';
import type { IdempotencyKey } from '../types.js';
import { now } from './clock.js';

/** How long a recorded Idempotency-Key answers again, in seconds; past it, the record is purged. */
export const IDEMPOTENCY_WINDOW = 24 * 60 * 60;

/**
 * Expired records deleted per statement: a record holds a whole response (up to the body limit), so a
 * batch is kept small enough to stay well under the event loop budget on SQLite.
 */
export const PURGE_BATCH = 8;

/** How often each store purges expired records. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * The answer to a replay whose object was deleted since: the 404 a read of it gets. A message's record
 * only outlives it while its thread stands (a thread's delete removes its messages' records).
 */
export function deletedObject(record: RecordedObject): Error {
  if (record.object_id.startsWith('asst_')) return new AssistantNotFound(record.object_id);
  return record.object_id === record.thread_id ? threadNotFound(record.thread_id) : messageNotFound(record.object_id);
}

/** The ids a response names: the thread's and the created object's (the same for a thread). */
export function objectOf(response: { id: string; thread_id?: string }): RecordedObject {
  return { thread_id: response.thread_id ?? response.id, object_id: response.id };
}

/** The ids of the object a create made, which its record names. */
export interface RecordedObject {
  thread_id: string;
  object_id: string;
}

/**
 * A record's columns, in the order both engines' statements take them: tenant, key, fingerprint,
 * response, thread_id, object_id, created_at.
 */
export function recordValues(
  tenant: string,
  idempotency: IdempotencyKey,
  response: unknown,
  { thread_id, object_id }: RecordedObject,
): [string, string, string, string, string, string, number] {
  return [tenant, idempotency.key, idempotency.fingerprint, JSON.stringify(response), thread_id, object_id, now()];
}

/**
 * The items a recorded items create made. A message create recorded before migration 004 (the items
 * layout) recorded the thread API's message object instead: it is read back as the one item it made, so
 * a retry after the upgrade answers the same message as the first try. (Records expire after a day.)
 */
export function recordedItems(response: string): ItemRecord[] {
  const recorded = JSON.parse(response) as ItemRecord[] | MessageObject;
  if (Array.isArray(recorded)) return recorded;
  const { object: _object, thread_id: _threadId, ...message } = recorded;
  return [{ ...message, type: 'message', item: null }];
}

/**
 * Every PURGE_INTERVAL_MS, deletes expired records a batch at a time until a batch comes back short,
 * letting other work run between batches. Never keeps the process alive; `stop` before closing the store.
 */
export function purgeExpiredPeriodically(purgeBatch: () => Promise<number>): { stop(): void } {
  let running = false;
  async function purgeAll() {
    if (running) return;
    running = true;
    try {
      while ((await purgeBatch()) === PURGE_BATCH) await new Promise((next) => setImmediate(next));
    } catch {
      // The database is away or busy: the next round tries again.
    } finally {
      running = false;
    }
  }
  const timer = setInterval(() => void purgeAll(), PURGE_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
