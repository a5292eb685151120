// The PostgreSQL store's statements about assistants.
import type { Direction } from '../../engine/read-page.js';

const COLUMNS = 'seq, id, created_at, settings';

/**
 * The tenant's ($2) next assistant position, under its counter row's lock until commit, and its created_at:
 * the replica's clock ($3), but never before the tenant's previous assistant's.
 */
const NEXT_POSITION = `INSERT INTO assistant_positions AS ap (tenant, last_position, last_created_at) VALUES ($2, 1, $3)
  ON CONFLICT (tenant) DO UPDATE
    SET last_position = ap.last_position + 1, last_created_at = greatest(ap.last_created_at, $3)
  RETURNING last_position, last_created_at`;

export const ASSISTANT_SQL = {
  /** $1 id, $2 tenant, $3 the replica's time, $4 settings; answers the created_at written. */
  insert: `WITH counter AS (${NEXT_POSITION})
    INSERT INTO assistants (id, tenant, position, created_at, settings)
    SELECT $1, $2, counter.last_position, counter.last_created_at, $4 FROM counter
    RETURNING created_at`,
  /**
   * As insert, for an import, which keeps its created_at ($3): nothing when the id exists; a tombstone of the
   * id goes (it is live again).
   */
  importAssistant: `WITH counter AS (${NEXT_POSITION}), inserted AS (
      INSERT INTO assistants (id, tenant, position, created_at, settings)
      SELECT $1, $2, counter.last_position, $3, $4 FROM counter
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    ), cleared AS (
      DELETE FROM deleted_assistants d USING inserted WHERE d.id = inserted.id
    )
    SELECT id FROM inserted`,
  byId: `SELECT ${COLUMNS} FROM assistants WHERE id = $1 AND tenant = $2`,
  /** The row a modify rewrites, locked until its transaction ends. */
  byIdForUpdate: `SELECT ${COLUMNS} FROM assistants WHERE id = $1 AND tenant = $2 FOR UPDATE`,
  updateSettings: 'UPDATE assistants SET settings = $3 WHERE id = $1 AND tenant = $2',
  /** The row goes, its tombstone keeps its place for cursors, its Idempotency-Key record is neutered. */
  delete: `WITH gone AS (
      DELETE FROM assistants WHERE id = $1 AND tenant = $2 RETURNING position
    ), tombstone AS (
      INSERT INTO deleted_assistants (id, tenant, position) SELECT $1, $2, position FROM gone
      ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, position = excluded.position
    ), neutered AS (
      UPDATE idempotency_keys SET response = NULL
      WHERE thread_id = $1 AND object_id = $1 AND tenant = $2 AND EXISTS (SELECT 1 FROM gone)
    )
    SELECT position FROM gone`,
  cursor: `SELECT position FROM assistants WHERE id = $1 AND tenant = $2
    UNION ALL SELECT position FROM deleted_assistants WHERE id = $1 AND tenant = $2`,
  list: (direction: Direction) => `SELECT ${COLUMNS} FROM assistants
    WHERE tenant = $1 AND position > $2 AND position < $3 ORDER BY position ${direction} LIMIT $4`,
  from: `SELECT seq, id, tenant, created_at, settings FROM assistants
    WHERE seq > $1 AND ($2::text IS NULL OR tenant = $2) ORDER BY seq LIMIT $3`,
};
