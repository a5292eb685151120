// Every SQL statement of the PostgreSQL store.

export const ITEM_COLUMNS = `m.id, m.created_at, m.type, m.role, m.item, m.content, m.attachments, m.metadata, m.status,
  m.incomplete_details, m.completed_at, m.incomplete_at, m.assistant_id, m.run_id`;

/** Rows the thread view shows (user and assistant messages), unless the boolean parameter asks for all. */
const inView = (all: string) => `(${all}::boolean OR (m.type = 'message' AND m.role IN ('user', 'assistant')))`;

const THREAD_COLUMNS = 'seq, id, position, created_at, metadata, tool_resources';

import { IDEMPOTENCY_WINDOW } from '../idempotency-records.js';

export const SQL = {
  threadById: `SELECT ${THREAD_COLUMNS} FROM threads WHERE id = $1 AND tenant = $2`,
  /**
   * One statement, so atomic: the thread at the tenant's next position (the upsert locks the tenant's
   * counter row until commit, so thread positions commit in order too), its items at positions 1..n.
   * created_at is the replica's clock ($10), but never before the tenant's previous thread's.
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
      RETURNING seq, created_at
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
  updateThread: `UPDATE threads SET metadata = coalesce($1, metadata), tool_resources = coalesce($2, tool_resources)
    WHERE id = $3 AND tenant = $4 RETURNING ${THREAD_COLUMNS}`,
  // The thread's Idempotency-Key record is neutered (a replay answers 404), its messages' records removed.
  deleteThread: `WITH gone AS (DELETE FROM threads WHERE id = $1 AND tenant = $2 RETURNING id, tenant, position),
    neutered AS (UPDATE idempotency_keys SET response = NULL
      WHERE thread_id = $1 AND object_id = $1 AND tenant = $2 AND EXISTS (SELECT 1 FROM gone)),
    forgotten AS (DELETE FROM idempotency_keys
      WHERE thread_id = $1 AND object_id <> $1 AND tenant = $2 AND EXISTS (SELECT 1 FROM gone))
    INSERT INTO deleted_threads (id, tenant, position) SELECT id, tenant, position FROM gone`,
  threadCursor: `SELECT position FROM threads WHERE id = $1 AND tenant = $2
    UNION ALL SELECT position FROM deleted_threads WHERE id = $1 AND tenant = $2`,
  listThreads: (direction: 'ASC' | 'DESC') => `SELECT ${THREAD_COLUMNS} FROM threads
    WHERE tenant = $1 AND position > $2 AND position < $3 ORDER BY position ${direction} LIMIT $4`,
  // The UPDATE locks the thread row until this statement commits: the next writer to the thread waits,
  // so positions are handed out and committed in the same order. created_at is the replica's clock ($11),
  // but never before the thread's previous item's, so it never decreases along the thread.
  createItems: `WITH thread AS (
      UPDATE threads SET last_position = last_position + cardinality($3::text[]), last_created_at = greatest(last_created_at, $11)
      WHERE id = $1 AND tenant = $2
      RETURNING seq, last_position - cardinality($3::text[]) AS first_position, last_created_at AS created_at
    )
    INSERT INTO messages AS m (thread_seq, position, id, created_at, type, role, item, content, attachments, metadata,
                               status, completed_at)
    SELECT seq, first_position + given.ord, given.id, created_at, given.type, given.role, given.item, given.content,
           given.attachments, given.metadata, given.status, CASE WHEN given.status = 'completed' THEN created_at END
    FROM thread, unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
      WITH ORDINALITY AS given (id, type, role, item, content, attachments, metadata, status, ord)
    RETURNING ${ITEM_COLUMNS}, m.position`,
  /** Whether an item or a tombstone of the tenant has this id. */
  itemIdTaken: `SELECT 1 FROM messages m JOIN threads t ON t.seq = m.thread_seq WHERE m.id = $1 AND t.tenant = $2
    UNION ALL SELECT 1 FROM deleted_messages d JOIN threads t ON t.seq = d.thread_seq WHERE d.id = $1 AND t.tenant = $2
    LIMIT 1`,
  /** The first of these ids ($2) an item or a tombstone of the tenant ($1) already has. */
  itemIdsTaken: `SELECT m.id FROM messages m JOIN threads t ON t.seq = m.thread_seq WHERE t.tenant = $1 AND m.id = ANY($2::text[])
    UNION ALL SELECT d.id FROM deleted_messages d JOIN threads t ON t.seq = d.thread_seq WHERE t.tenant = $1 AND d.id = ANY($2::text[])
    LIMIT 1`,
  /** Held until the transaction ends: writes supplying the same item id in a tenant take turns. */
  lockItemId: "SELECT pg_advisory_xact_lock(hashtextextended('item' || E'\\n' || $1 || E'\\n' || $2, 0))",
  itemById: `SELECT ${ITEM_COLUMNS} FROM messages m JOIN threads t ON t.seq = m.thread_seq
    WHERE t.id = $1 AND t.tenant = $2 AND m.id = $3 AND ${inView('$4')}`,
  updateItemMetadata: `UPDATE messages m SET metadata = $4 FROM threads t
    WHERE t.seq = m.thread_seq AND t.id = $1 AND t.tenant = $2 AND m.id = $3 AND ${inView('$5')} RETURNING ${ITEM_COLUMNS}`,
  // Content and metadata go for good, from its Idempotency-Key record too; only the id and position stay, for cursors.
  deleteItem: `WITH gone AS (
      DELETE FROM messages m USING threads t
      WHERE t.seq = m.thread_seq AND t.id = $1 AND t.tenant = $2 AND m.id = $3 AND ${inView('$4')}
      RETURNING m.id, m.thread_seq, m.position
    ), neutered AS (
      UPDATE idempotency_keys SET response = NULL
      WHERE thread_id = $1 AND object_id = $3 AND tenant = $2 AND EXISTS (SELECT 1 FROM gone)
    )
    INSERT INTO deleted_messages (id, thread_seq, position) SELECT id, thread_seq, position FROM gone`,
  messageCursor: `SELECT position FROM messages WHERE id = $1 AND thread_seq = $2
    UNION ALL SELECT position FROM deleted_messages WHERE id = $1 AND thread_seq = $2`,
  listItems: (direction: 'ASC' | 'DESC') => `SELECT ${ITEM_COLUMNS} FROM messages m
    WHERE m.thread_seq = $1 AND m.position > $2 AND m.position < $3 AND ($4::text IS NULL OR m.run_id = $4)
      AND ${inView('$6')}
    ORDER BY m.position ${direction} LIMIT $5`,
  // Exact counts for the metrics gauges: a scan, off the event loop, at most once per METRICS_COUNT_TTL (plugins/metrics.ts).
  stats: 'SELECT (SELECT count(*) FROM threads) AS threads, (SELECT count(*) FROM messages) AS messages',
  /** Held until the transaction ends: creates with the same tenant and key take turns. */
  lockIdempotencyKey: "SELECT pg_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 0))",
  idempotencyRecord: `SELECT fingerprint, response, thread_id, object_id FROM idempotency_keys
    WHERE tenant = $1 AND key = $2 AND created_at > $3::bigint - ${IDEMPOTENCY_WINDOW}`,
  recordIdempotency: `INSERT INTO idempotency_keys (tenant, key, fingerprint, response, thread_id, object_id, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (tenant, key) DO UPDATE
      SET fingerprint = $3, response = $4, thread_id = $5, object_id = $6, created_at = $7`,
  // Replicas purge concurrently: each takes rows no other is deleting.
  purgeIdempotency: `DELETE FROM idempotency_keys WHERE (tenant, key) IN (
      SELECT tenant, key FROM idempotency_keys WHERE created_at <= $1::bigint - ${IDEMPOTENCY_WINDOW}
      ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
  // A thread or message restored after its delete is live again: its tombstone goes, so it can be deleted again.
  clearTombstones: `WITH threads_cleared AS (DELETE FROM deleted_threads WHERE id = $1)
    DELETE FROM deleted_messages d USING threads t WHERE t.seq = d.thread_seq AND t.tenant = $3 AND d.id = ANY($2::text[])`,
  threadsFrom: `SELECT seq, id, tenant, position, created_at, metadata, tool_resources FROM threads
    WHERE seq > $1 AND ($2::text IS NULL OR tenant = $2) ORDER BY seq LIMIT $3`,
  // An imported thread keeps its id, timestamps and message order; it joins its tenant's list at the end.
  importThread: `WITH counter AS (
      INSERT INTO tenant_positions AS tp (tenant, last_position, last_created_at) VALUES ($2, 1, $3)
      ON CONFLICT (tenant) DO UPDATE
        SET last_position = tp.last_position + 1, last_created_at = greatest(tp.last_created_at, $3)
      RETURNING last_position
    )
    INSERT INTO threads (id, tenant, position, created_at, metadata, tool_resources, last_position, last_created_at)
    SELECT $1, $2, counter.last_position, $3, $4, $5, $6, $7 FROM counter
    ON CONFLICT (id) DO NOTHING
    RETURNING seq`,
  importItems: `INSERT INTO messages (thread_seq, position, id, created_at, role, content, attachments, metadata,
      status, incomplete_details, completed_at, incomplete_at, assistant_id, run_id, type, item)
    SELECT $1, given.position, given.id, given.created_at, given.role, given.content, given.attachments, given.metadata,
      given.status, given.incomplete_details, given.completed_at, given.incomplete_at, given.assistant_id, given.run_id,
      given.type, given.item
    FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
      $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[])
      WITH ORDINALITY AS given (id, created_at, role, content, attachments, metadata, status, incomplete_details,
        completed_at, incomplete_at, assistant_id, run_id, type, item, position)`,
};
