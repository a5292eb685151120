// The PostgreSQL statements of a thread's items.
import { type Direction, END } from '../../engine/read-page.js';
import type { ItemView } from '../../types.js';

export const ITEM_COLUMNS = `m.id, m.created_at, m.type, m.role, m.item, m.content, m.attachments, m.metadata, m.status,
  m.incomplete_details, m.completed_at, m.incomplete_at, m.assistant_id, m.run_id`;

/** A message's or tombstone's position in the thread `thread.seq`, by the id parameter `id`. */
const cursorPosition = (id: string) => `SELECT position FROM messages WHERE id = ${id} AND thread_seq = thread.seq
  UNION ALL SELECT position FROM deleted_messages WHERE id = ${id} AND thread_seq = thread.seq LIMIT 1`;

/** The rows the thread view shows: user and assistant messages. */
const THREAD_VIEW = `(m.type = 'message' AND m.role IN ('user', 'assistant'))`;

/** Rows the thread view shows, unless the boolean parameter asks for all. */
const inView = (all: string) => `(${all}::boolean OR ${THREAD_VIEW})`;

/**
 * A page's filter by view, written out rather than behind a parameter: only then can every plan, generic
 * ones included, read the thread view's page through its index (migration 008), which holds only its rows.
 */
const pageView = (view: ItemView) => (view === 'thread' ? ` AND ${THREAD_VIEW}` : '');

export const SQL = {
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
  // The next three tell which is missing: no row, no thread; a row of nulls (or `deleted` false), no item.
  itemById: `SELECT ${ITEM_COLUMNS} FROM threads t LEFT JOIN messages m
      ON m.thread_seq = t.seq AND m.id = $3 AND ${inView('$4')}
    WHERE t.id = $1 AND t.tenant = $2`,
  updateItemMetadata: `WITH thread AS (
      SELECT seq FROM threads WHERE id = $1 AND tenant = $2
    ), updated AS (
      UPDATE messages m SET metadata = $4 FROM thread
      WHERE m.thread_seq = thread.seq AND m.id = $3 AND ${inView('$5')} RETURNING ${ITEM_COLUMNS}
    )
    SELECT m.* FROM thread LEFT JOIN updated m ON true`,
  // Content and metadata go for good, from every Idempotency-Key record that answers with it too (a replay
  // then names it in its 404); only the id and position stay, for cursors.
  deleteItem: `WITH thread AS (
      SELECT seq FROM threads WHERE id = $1 AND tenant = $2
    ), gone AS (
      DELETE FROM messages m USING thread
      WHERE m.thread_seq = thread.seq AND m.id = $3 AND ${inView('$4')}
      RETURNING m.id, m.thread_seq, m.position
    ), neutered AS (
      UPDATE idempotency_keys k SET response = NULL, object_id = $3 FROM idempotency_objects o
      WHERE o.tenant = $2 AND o.object_id = $3 AND k.tenant = o.tenant AND k.key = o.key
        AND EXISTS (SELECT 1 FROM gone)
    ), tombstone AS (
      INSERT INTO deleted_messages (id, thread_seq, position) SELECT id, thread_seq, position FROM gone
    )
    SELECT EXISTS (SELECT 1 FROM gone) AS deleted FROM thread`,
  messageCursor: `SELECT position FROM messages WHERE id = $1 AND thread_seq = $2
    UNION ALL SELECT position FROM deleted_messages WHERE id = $1 AND thread_seq = $2`,
  /**
   * Up to $4 items in order, cut where their stored JSON passes $5 bytes (the first item always comes);
   * `total` tells whether the cut dropped any. Only the rows `view` shows; with `byRun`, only run $6's,
   * through its index.
   */
  listItems: (direction: Direction, byRun: boolean, view: ItemView) => `SELECT * FROM (
      SELECT page.*, row_number() OVER w AS n, sum(page.size) OVER w AS running, count(*) OVER () AS total FROM (
        SELECT ${ITEM_COLUMNS}, m.position,
          coalesce(octet_length(m.item), 0) + octet_length(m.content) + octet_length(m.attachments)
            + octet_length(m.metadata) AS size
        FROM messages m
        WHERE m.thread_seq = $1 AND m.position > $2 AND m.position < $3${byRun ? ' AND m.run_id = $6' : ''}${pageView(view)}
        ORDER BY m.position ${direction} LIMIT $4
      ) AS page
      WINDOW w AS (ORDER BY page.position ${direction} ROWS UNBOUNDED PRECEDING)
    ) AS budgeted
    WHERE n = 1 OR running <= $5 ORDER BY n`,
  /**
   * listItems in one statement, with the thread and both cursors resolved in it ($1 thread id, $2 tenant,
   * $3 the cursor below the page, $4 the one above, then $5-$7 as listItems' $4-$6). No row: no such thread.
   * Else `low` and `high` are the cursors' positions (null when a given cursor is not the thread's), and the
   * page's rows follow, or one row of nulls when the page is empty or a cursor unknown. `bounds` is
   * MATERIALIZED: inlined, its cursor lookups ran again for every row of the page.
   */
  listPage: (direction: Direction, byRun: boolean, view: ItemView) => `WITH thread AS (
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
            AND m.position < coalesce(bounds.high, ${END})${byRun ? ' AND m.run_id = $7' : ''}${pageView(view)}
          ORDER BY m.position ${direction} LIMIT $5
        ) AS page
        WINDOW w AS (ORDER BY page.position ${direction} ROWS UNBOUNDED PRECEDING)
      ) AS numbered
      WHERE n = 1 OR running <= $6
    ) AS budgeted ON ($3::text IS NULL OR bounds.low IS NOT NULL) AND ($4::text IS NULL OR bounds.high IS NOT NULL)
    ORDER BY budgeted.n`,
};
