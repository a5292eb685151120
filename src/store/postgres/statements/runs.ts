// The SQL of runs and run steps on PostgreSQL.
import type { Direction } from '../../engine/read-page.js';
import { UNFINISHED_SQL } from '../../engine/run-row.js';
import { ITEM_COLUMNS } from './items.js';

/** A run by id ($3) inside a thread ($2) the tenant ($1) owns (a deleted thread is hidden under another tenant). */
const RUN_BY_ID = `FROM runs r JOIN threads t ON t.seq = r.thread_seq
  WHERE r.tenant = $1 AND t.tenant = $1 AND t.id = $2 AND r.id = $3`;

export const RUN_SQL = {
  /** Locks the thread row: run creates of one thread take turns, so only one sees it free. */
  lockThread: 'SELECT seq FROM threads WHERE id = $1 AND tenant = $2 FOR UPDATE',
  threadSeq: 'SELECT seq FROM threads WHERE id = $1 AND tenant = $2',
  activeRun: `SELECT id FROM runs WHERE thread_seq = $1 AND ${UNFINISHED_SQL} LIMIT 1`,
  insertRun:
    'INSERT INTO runs (id, tenant, thread_seq, status, expires_at, run, owner, lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
  run: `SELECT r.seq, r.run ${RUN_BY_ID}`,
  runForUpdate: `SELECT r.seq, r.run ${RUN_BY_ID} FOR UPDATE OF r`,
  /** $5: a reservation for a run back in the queue that no one holds (run-leases.ts), else null. */
  updateRun: `UPDATE runs SET status = $1, expires_at = $2, run = $3,
      lease_until = CASE WHEN owner IS NULL AND $5::bigint IS NOT NULL THEN $5::bigint ELSE lease_until END
    WHERE seq = $4`,
  /** By the tenant's ($1) unique run id ($2), not by reading the thread's ($3) every run for it. */
  runCursor: 'SELECT seq FROM runs WHERE tenant = $1 AND id = $2 AND thread_seq = $3',
  listRuns: (direction: Direction) =>
    `SELECT run FROM runs WHERE thread_seq = $1 AND seq > $2 AND seq < $3 ORDER BY seq ${direction} LIMIT $4`,
  due: `SELECT r.tenant, t.id AS "threadId", r.id AS "runId" FROM runs r JOIN threads t ON t.seq = r.thread_seq
    WHERE ${UNFINISHED_SQL.replace('status', 'r.status')} AND r.expires_at <= $1 ORDER BY r.expires_at LIMIT $2`,
  unfinished: `SELECT status, count(*)::int AS n FROM runs WHERE ${UNFINISHED_SQL} GROUP BY status`,
  insertStep: 'INSERT INTO run_steps (id, run_seq, step) VALUES ($1, $2, $3)',
  step: 'SELECT seq, step FROM run_steps WHERE id = $1 AND run_seq = $2',
  stepForUpdate: 'SELECT seq, step FROM run_steps WHERE id = $1 AND run_seq = $2 FOR UPDATE',
  updateStep: 'UPDATE run_steps SET step = $1 WHERE seq = $2',
  deleteStep: 'DELETE FROM run_steps WHERE id = $1 AND run_seq = $2',
  listSteps: (direction: Direction) =>
    `SELECT step FROM run_steps WHERE run_seq = $1 AND seq > $2 AND seq < $3 ORDER BY seq ${direction} LIMIT $4`,
  /** A message of the thread ($1 thread seq), locked for its rewrite. */
  /**
   * A run's message after the thread's latest, and its step when given, in one statement. $1 thread id, $2
   * tenant; the message: $3 id, $4 type, $5 role, $6 item, $7 content, $8 attachments, $9 metadata, $10
   * status, $11 time, $12 assistant, $13 run; the step: $14 id (null: none), $15 JSON, written only when the
   * run is the thread's. No row: no such thread.
   */
  createMessage: `WITH thread AS (
      UPDATE threads SET last_position = last_position + 1, last_created_at = greatest(last_created_at, $11)
      WHERE id = $1 AND tenant = $2
      RETURNING seq, last_position AS position, last_created_at AS created_at
    ), step AS (
      INSERT INTO run_steps (id, run_seq, step)
      SELECT $14, r.seq, $15 FROM thread JOIN runs r ON r.thread_seq = thread.seq AND r.id = $13 AND r.tenant = $2
      WHERE $14::text IS NOT NULL
    )
    INSERT INTO messages AS m (thread_seq, position, id, created_at, type, role, item, content, attachments, metadata,
                               status, completed_at, assistant_id, run_id)
    SELECT seq, position, $3, created_at, $4, $5, $6, $7, $8, $9, $10,
           CASE WHEN $10::text = 'completed' THEN created_at END, $12, $13
    FROM thread
    RETURNING ${ITEM_COLUMNS}`,
  messageForUpdate: `SELECT ${ITEM_COLUMNS} FROM messages m WHERE m.thread_seq = $1 AND m.id = $2 FOR UPDATE`,
  rewriteMessage: `UPDATE messages SET content = $3, status = $4, incomplete_details = $5, completed_at = $6,
      incomplete_at = $7, assistant_id = $8, run_id = $9
    WHERE thread_seq = $1 AND id = $2`,
};
