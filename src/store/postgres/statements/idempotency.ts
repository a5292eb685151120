// The PostgreSQL statements of Idempotency-Key records and supplied item ids.
import { IDEMPOTENCY_WINDOW } from '../../engine/idempotency-records.js';

export const SQL = {
  /** Held until the transaction ends: creates with the same tenant and key take turns. */
  lockIdempotencyKey: "SELECT pg_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 0))",
  idempotencyRecord: `SELECT fingerprint, response, thread_id, object_id FROM idempotency_keys
    WHERE tenant = $1 AND key = $2 AND created_at > $3::bigint - ${IDEMPOTENCY_WINDOW}`,
  recordIdempotency: `INSERT INTO idempotency_keys (tenant, key, fingerprint, response, thread_id, object_id, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (tenant, key) DO UPDATE
      SET fingerprint = $3, response = $4, thread_id = $5, object_id = $6, created_at = $7`,
  /** The items record $2 answers with ($3), in place of those of an expired record under the same key. */
  recordIdempotencyItems: `WITH cleared AS (
      DELETE FROM idempotency_objects WHERE tenant = $1 AND key = $2 AND object_id <> ALL($3::text[])
    )
    INSERT INTO idempotency_objects (tenant, key, object_id) SELECT $1, $2, unnest($3::text[])
    ON CONFLICT DO NOTHING`,
  // Replicas purge concurrently: each takes rows no other is deleting.
  purgeIdempotency: `WITH expired AS (
      SELECT tenant, key FROM idempotency_keys WHERE created_at <= $1::bigint - ${IDEMPOTENCY_WINDOW}
      ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
    ), items AS (
      DELETE FROM idempotency_objects o USING expired e WHERE o.tenant = e.tenant AND o.key = e.key
    )
    DELETE FROM idempotency_keys k USING expired e WHERE k.tenant = e.tenant AND k.key = e.key`,
  /** Held until the transaction ends: writes supplying the same item id in a tenant take turns. */
  lockItemId: "SELECT pg_advisory_xact_lock(hashtextextended('item' || E'\\n' || $1 || E'\\n' || $2, 0))",
  /** Whether an item or a tombstone of the tenant has this id. */
  itemIdTaken: `SELECT 1 FROM messages m JOIN threads t ON t.seq = m.thread_seq WHERE m.id = $1 AND t.tenant = $2
    UNION ALL SELECT 1 FROM deleted_messages d JOIN threads t ON t.seq = d.thread_seq WHERE d.id = $1 AND t.tenant = $2
    LIMIT 1`,
};
