import type pg from 'pg';
import { now } from '../engine/clock.js';
import { deletedObject, PURGE_BATCH, type RecordedObject, recordValues } from '../engine/idempotency-records.js';
import { IdempotencyConflict, ItemIdTaken } from '../store-errors.js';
import type { IdempotencyKey, NewItem } from '../types.js';
import { SQL } from './statements/idempotency.js';
import { guard, unstorable } from './store-errors.js';

export type Queryable = pg.Pool | pg.PoolClient;

/** What a create asks of `idempotent`. */
export interface Create<T> {
  /** The items it writes, whose supplied ids must be free in the tenant. */
  items: NewItem[];
  /** Writes the object; throws ThreadNotFound when its thread is missing (nothing is then recorded). */
  write(db: Queryable): Promise<T>;
  /** The ids of what it wrote, which the record names. */
  objectOf(response: T): RecordedObject;
  /** The first response again, from its record. */
  replayed(response: string): T;
}

export function postgresIdempotency(pool: pg.Pool) {
  async function checkSuppliedIds(client: pg.PoolClient, tenant: string, items: NewItem[]) {
    const seen = new Set<string>();
    for (const [index, { id }] of items.entries()) {
      if (id === undefined) continue;
      if (!unstorable(id)) await client.query(SQL.lockItemId, [tenant, id]);
      const taken =
        seen.has(id) || (!unstorable(id) && ((await client.query(SQL.itemIdTaken, [id, tenant])).rowCount ?? 0) > 0);
      if (taken) throw new ItemIdTaken(index, id);
      seen.add(id);
    }
  }

  /**
   * Runs a create in a transaction of its own when it carries an Idempotency-Key (the first response is
   * recorded with the object, and answered again for the same key and request) or supplies item ids
   * (each must be free in the tenant: checked under a lock on tenant and id, so concurrent writes take turns).
   */
  async function idempotent<T>(tenant: string, idempotency: IdempotencyKey | undefined, create: Create<T>): Promise<T> {
    const supplied = create.items.some((item) => item.id !== undefined);
    if (!idempotency && !supplied) return create.write(pool);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      let recorded: ({ fingerprint: string; response: string | null } & RecordedObject) | undefined;
      if (idempotency) {
        await client.query(SQL.lockIdempotencyKey, [tenant, idempotency.key]);
        recorded = (
          await client.query<{ fingerprint: string; response: string | null } & RecordedObject>(SQL.idempotencyRecord, [
            tenant,
            idempotency.key,
            now(),
          ])
        ).rows[0];
        if (recorded && recorded.fingerprint !== idempotency.fingerprint) throw new IdempotencyConflict();
        if (recorded && recorded.response === null) throw deletedObject(recorded);
      }
      if (!recorded) await checkSuppliedIds(client, tenant, create.items);
      const response = recorded ? create.replayed(recorded.response!) : await create.write(client);
      if (idempotency && !recorded) {
        const object = create.objectOf(response);
        await client.query(SQL.recordIdempotency, recordValues(tenant, idempotency, response, object));
        await client.query(SQL.recordIdempotencyItems, [tenant, idempotency.key, object.items ?? []]);
      }
      await client.query('COMMIT');
      return response;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  const purgeExpired = guard(async () => (await pool.query(SQL.purgeIdempotency, [now(), PURGE_BATCH])).rowCount ?? 0);

  return { idempotent, purgeExpired };
}

export type PostgresIdempotency = ReturnType<typeof postgresIdempotency>;
