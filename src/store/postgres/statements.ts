// Every SQL statement of the PostgreSQL store.
import { type Direction, END } from '../engine/read-page.js';
import { IDEMPOTENCY_WINDOW } from '../engine/idempotency-records.js';
import { PURGING_TENANT } from '../engine/thread-purge.js';

export const ITEM_COLUMNS = `m.id, m.created_at, m.type, m.role, m.item, m.content, m.attachments, m.metadata, m.status,
  m.incomplete_details, m.completed_at, m.incomplete_at, m.assistant_id, m.run_id`;

/** A message's or tombstone's position in the thread `thread.seq`, by the id parameter `id`. */
const cursorPosition = (id: string) => `SELECT position FROM messages WHERE id = ${id} AND thread_seq = thread.seq
  UNION ALL SELECT position FROM deleted_messages WHERE id = ${id} AND thread_seq = thread.seq LIMIT 1`;

/** Rows the thread view shows (user and assistant messages), unless the boolean parameter asks for all. */
const inView = (all: string) => `(${all}::boolean OR (m.type = 'message' AND m.role IN ('user', 'assistant')))`;

const THREAD_COLUMNS = 'seq, id, position, created_at, metadata, tool_resources';

/** A thread's metadata pairs ($1 keys, $2 values, JSON-encoded) as rows of (key, value). */
const pairs = (keys: string, values: string) => `unnest(${keys}::text[], ${values}::text[]) AS pair (key, value)`;

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
    )
    SELECT seq FROM hidden`,
  threadsToPurge: `SELECT seq FROM threads WHERE tenant = '${PURGING_TENANT}' ORDER BY seq`,
  purgeMessages: `DELETE FROM messages WHERE thread_seq = $1 AND position IN (
      SELECT position FROM messages WHERE thread_seq = $1 ORDER BY position LIMIT $2)`,
  // Tombstone ids are unique per thread only: the thread's own are matched by (thread_seq, id).
  purgeMessageTombstones: `DELETE FROM deleted_messages WHERE (thread_seq, id) IN (
      SELECT thread_seq, id FROM deleted_messages WHERE thread_seq = $1 LIMIT $2)`,
  deletePurgedThread: `DELETE FROM threads WHERE seq = $1 AND tenant = '${PURGING_TENANT}'`,
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
  insertPairs: `INSERT INTO thread_metadata (tenant, key, value, position, thread_seq)
    SELECT $1, pair.key, pair.value, $2, $3 FROM ${pairs('$4', '$5')}`,
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
  /**
   * Up to $4 items in order, cut where their stored JSON passes $5 bytes (the first item always comes);
   * `total` tells whether the cut dropped any. Only the thread view's rows unless $6; with `byRun`, only
   * run $7's, through its index.
   */
  listItems: (direction: Direction, byRun: boolean) => `SELECT * FROM (
      SELECT page.*, row_number() OVER w AS n, sum(page.size) OVER w AS running, count(*) OVER () AS total FROM (
        SELECT ${ITEM_COLUMNS}, m.position,
          coalesce(octet_length(m.item), 0) + octet_length(m.content) + octet_length(m.attachments)
            + octet_length(m.metadata) AS size
        FROM messages m
        WHERE m.thread_seq = $1 AND m.position > $2 AND m.position < $3${byRun ? ' AND m.run_id = $7' : ''}
          AND ${inView('$6')}
        ORDER BY m.position ${direction} LIMIT $4
      ) AS page
      WINDOW w AS (ORDER BY page.position ${direction} ROWS UNBOUNDED PRECEDING)
    ) AS budgeted
    WHERE n = 1 OR running <= $5 ORDER BY n`,
  /**
   * listItems in one statement, with the thread and both cursors resolved in it ($1 thread id, $2 tenant,
   * $3 the cursor below the page, $4 the one above, then $5-$8 as listItems' $4-$7). No row: no such thread.
   * Else `low` and `high` are the cursors' positions (null when a given cursor is not the thread's), and the
   * page's rows follow, or one row of nulls when the page is empty or a cursor unknown. `bounds` is
   * MATERIALIZED: inlined, its cursor lookups ran again for every row of the page.
   */
  listPage: (direction: Direction, byRun: boolean) => `WITH thread AS (
      SELECT seq FROM threads WHERE id = $1 AND tenant = $2
    ), bounds AS MATERIALIZED (
      SELECT thread.seq,
        (${cursorPosition('$3')}) AS low,
        (${cursorPosition('$4')}) AS high
      FROM thread
    )
    SELECT bounds.low, bounds.high, budgeted.* FROM bounds LEFT JOIN LATERAL (
      SELECT * FROM (
        SELECT page.*, row_number() OVER w AS n, sum(page.size) OVER w AS running, count(*) OVER () AS total FROM (
          SELECT ${ITEM_COLUMNS}, m.position,
            coalesce(octet_length(m.item), 0) + octet_length(m.content) + octet_length(m.attachments)
              + octet_length(m.metadata) AS size
          FROM messages m
          WHERE m.thread_seq = bounds.seq AND m.position > coalesce(bounds.low, 0)
            AND m.position < coalesce(bounds.high, ${END})${byRun ? ' AND m.run_id = $8' : ''} AND ${inView('$7')}
          ORDER BY m.position ${direction} LIMIT $5
        ) AS page
        WINDOW w AS (ORDER BY page.position ${direction} ROWS UNBOUNDED PRECEDING)
      ) AS numbered
      WHERE n = 1 OR running <= $6
    ) AS budgeted ON ($3::text IS NULL OR bounds.low IS NOT NULL) AND ($4::text IS NULL OR bounds.high IS NOT NULL)
    ORDER BY budgeted.n`,
  // Exact counts for the metrics gauges: a scan, off the event loop, at most once per METRICS_COUNT_TTL (plugins/metrics.ts).
  stats: `SELECT (SELECT count(*) FROM threads) AS threads, (SELECT count(*) FROM messages) AS messages,
    (SELECT count(*) FROM assistants) AS assistants`,
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
    WHERE seq > $1 AND ($2::text IS NULL OR tenant = $2) AND tenant <> '${PURGING_TENANT}' ORDER BY seq LIMIT $3`,
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
    RETURNING seq, position`,
  importItems: `INSERT INTO messages (thread_seq, position, id, created_at, role, content, attachments, metadata,
      status, incomplete_details, completed_at, incomplete_at, assistant_id, run_id, type, item)
    SELECT $1, $16::bigint + given.position, given.id, given.created_at, given.role, given.content, given.attachments, given.metadata,
      given.status, given.incomplete_details, given.completed_at, given.incomplete_at, given.assistant_id, given.run_id,
      given.type, given.item
    FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
      $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[])
      WITH ORDINALITY AS given (id, created_at, role, content, attachments, metadata, status, incomplete_details,
        completed_at, incomplete_at, assistant_id, run_id, type, item, position)`,
};
