// The PostgreSQL statements of threads: create, read, change, delete, list (with the metadata index).
import type { Direction } from '../../engine/read-page.js';
import { PURGING_TENANT } from '../../engine/thread-purge.js';

const THREAD_COLUMNS = 'seq, id, position, created_at, metadata, tool_resources';

/** A thread's metadata pairs ($1 keys, $2 values, JSON-encoded) as rows of (key, value). */
export const pairs = (keys: string, values: string) =>
  `unnest(${keys}::text[], ${values}::text[]) AS pair (key, value)`;

export const SQL = {
  threadById: `SELECT ${THREAD_COLUMNS} FROM threads WHERE id = $1 AND tenant = $2`,
  /**
   * One statement, so atomic: the thread at the tenant's next position (the upsert locks the tenant's
   * counter row until commit, so thread positions commit in order too), its items at positions 1..n.
   * created_at is the replica's clock ($10), but never before the tenant's previous thread's. Its metadata
   * pairs ($14, $15) go in the index of pairs.
   */
  createThread: `WITH counter AS (
      INSERT INTO tenant_positions AS tp (tenant, last_position, last_created_at) VALUES ($2, 1, $10)
      ON CONFLICT (tenant) DO UPDATE
        SET last_position = tp.last_position + 1, last_created_at = greatest(tp.last_created_at, $10)
      RETURNING last_position, last_created_at
    ), thread AS (
      INSERT INTO threads (id, tenant, position, created_at, metadata, tool_resources, last_position, last_created_at)
      SELECT $1, $2, counter.last_position, counter.last_created_at, $3, $4, cardinality($5::text[]),
             CASE WHEN cardinality($5::text[]) > 0 THEN counter.last_created_at ELSE 0 END
      FROM counter
      RETURNING seq, position, created_at
    ), indexed AS (
      INSERT INTO thread_metadata (tenant, key, value, position, thread_seq)
      SELECT $2, pair.key, pair.value, thread.position, thread.seq FROM thread, ${pairs('$14', '$15')}
    ), inserted AS (
      INSERT INTO messages (thread_seq, position, id, created_at, type, role, item, content, attachments, metadata,
                            status, completed_at)
      SELECT thread.seq, given.position, given.id, thread.created_at, given.type, given.role, given.item, given.content,
             given.attachments, given.metadata, given.status,
             CASE WHEN given.status = 'completed' THEN thread.created_at END
      FROM thread, unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $11::text[], $12::text[], $13::text[])
        WITH ORDINALITY AS given (id, role, content, attachments, metadata, type, item, status, position)
    )
    SELECT seq, created_at FROM thread`,
  /** New metadata ($1) replaces the thread's pairs in the index by $5, $6: the stale ones go, the new ones come. */
  updateThread: `WITH updated AS (
      UPDATE threads SET metadata = coalesce($1, metadata), tool_resources = coalesce($2, tool_resources)
      WHERE id = $3 AND tenant = $4 RETURNING ${THREAD_COLUMNS}
    ), stale AS (
      DELETE FROM thread_metadata m USING updated
      WHERE $1::text IS NOT NULL AND m.thread_seq = updated.seq
        AND (m.key, m.value) NOT IN (SELECT pair.key, pair.value FROM ${pairs('$5', '$6')})
    ), fresh AS (
      INSERT INTO thread_metadata (tenant, key, value, position, thread_seq)
      SELECT $4, pair.key, pair.value, updated.position, updated.seq FROM updated, ${pairs('$5', '$6')}
      WHERE $1::text IS NOT NULL
      ON CONFLICT DO NOTHING
    )
    SELECT ${THREAD_COLUMNS} FROM updated`,
  /**
   * Hides the thread for the background purge (thread-purge.ts), leaves its tombstone, drops its pairs. The
   * thread's Idempotency-Key record is neutered (a replay answers 404), its messages' records removed.
   */
  deleteThread: `WITH target AS (
      SELECT seq, position FROM threads WHERE id = $1 AND tenant = $2 FOR UPDATE
    ), hidden AS (
      UPDATE threads t SET tenant = '${PURGING_TENANT}', id = '${PURGING_TENANT}' || t.seq, position = -t.seq,
        metadata = '{}', tool_resources = '{}'
      FROM target WHERE t.seq = target.seq
      RETURNING t.seq
    ), tombstone AS (
      INSERT INTO deleted_threads (id, tenant, position) SELECT $1, $2, position FROM target
    ), unindexed AS (
      DELETE FROM thread_metadata m USING target WHERE m.thread_seq = target.seq
    ), neutered AS (
      UPDATE idempotency_keys SET response = NULL
      WHERE thread_id = $1 AND object_id = $1 AND tenant = $2 AND EXISTS (SELECT 1 FROM target)
    ), forgotten AS (
      DELETE FROM idempotency_keys
      WHERE thread_id = $1 AND object_id <> $1 AND tenant = $2 AND EXISTS (SELECT 1 FROM target)
      RETURNING tenant, key
    ), forgotten_items AS (
      DELETE FROM idempotency_objects o USING forgotten f WHERE o.tenant = f.tenant AND o.key = f.key
    )
    SELECT seq FROM hidden`,
  countPair: `SELECT count(*) AS n FROM (
      SELECT 1 FROM thread_metadata WHERE tenant = $1 AND key = $2 AND value = $3 LIMIT $4) AS capped`,
  /**
   * Up to $6 threads holding the pair ($2, $3) strictly between positions $4 and $5, each with its row when
   * it holds every pair of ($7, $8) too: the walk of a metadata-filtered list (metadata-walk.ts).
   */
  scanPair: (
    direction: Direction,
  ) => `SELECT d.position AS candidate, ${THREAD_COLUMNS.replace(/(\w+)/g, 't.$1')} FROM (
      SELECT position, thread_seq FROM thread_metadata
      WHERE tenant = $1 AND key = $2 AND value = $3 AND position > $4 AND position < $5
      ORDER BY position ${direction} LIMIT $6
    ) AS d
    LEFT JOIN threads t ON t.seq = d.thread_seq AND NOT EXISTS (
      SELECT 1 FROM ${pairs('$7', '$8')} WHERE NOT EXISTS (
        SELECT 1 FROM thread_metadata m
        WHERE m.tenant = $1 AND m.key = pair.key AND m.value = pair.value AND m.position = d.position))
    ORDER BY d.position ${direction}`,
  threadCursor: `SELECT position FROM threads WHERE id = $1 AND tenant = $2
    UNION ALL SELECT position FROM deleted_threads WHERE id = $1 AND tenant = $2`,
  listThreads: (direction: 'ASC' | 'DESC') => `SELECT ${THREAD_COLUMNS} FROM threads
    WHERE tenant = $1 AND position > $2 AND position < $3 ORDER BY position ${direction} LIMIT $4`,
};
