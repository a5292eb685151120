// The PostgreSQL statements of export and import.
import { PURGING_TENANT } from '../../engine/thread-purge.js';
import { pairs } from './threads.js';

export const SQL = {
  insertPairs: `INSERT INTO thread_metadata (tenant, key, value, position, thread_seq)
    SELECT $1, pair.key, pair.value, $2, $3 FROM ${pairs('$4', '$5')}`,
  /** The first of these ids ($2) an item or a tombstone of the tenant ($1) already has. */
  itemIdsTaken: `SELECT m.id FROM messages m JOIN threads t ON t.seq = m.thread_seq WHERE t.tenant = $1 AND m.id = ANY($2::text[])
    UNION ALL SELECT d.id FROM deleted_messages d JOIN threads t ON t.seq = d.thread_seq WHERE t.tenant = $1 AND d.id = ANY($2::text[])
    LIMIT 1`,
  // A thread or message restored after its delete is live again: its tombstone goes, so it can be deleted again.
  clearTombstones: `WITH threads_cleared AS (DELETE FROM deleted_threads WHERE id = $1)
    DELETE FROM deleted_messages d USING threads t WHERE t.seq = d.thread_seq AND t.tenant = $3 AND d.id = ANY($2::text[])`,
  threadsFrom: `SELECT seq, id, tenant, position, created_at, metadata, tool_resources FROM threads
    WHERE seq > $1 AND ($2::text IS NULL OR tenant = $2) AND tenant <> '${PURGING_TENANT}' ORDER BY seq LIMIT $3`,
  threadTenant: 'SELECT tenant FROM threads WHERE id = $1',
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
