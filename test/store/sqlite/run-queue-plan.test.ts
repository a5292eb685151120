// The run queue's statements must read the runs they are about, not every run the tenant (or the server)
// ever had: the count on every run create, the renewal on every heartbeat, the sweep every second, a list
// cursor. Checked with no statistics (SQLite keeps none unless ANALYZE runs) and after ANALYZE, on a tenant
// with thousands of finished runs.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrate } from '../../../src/store/sqlite/migrate.js';
import { RUN_QUEUE_SQL } from '../../../src/store/sqlite/run-queue.js';
import { RUN_CURSOR_SQL } from '../../../src/store/sqlite/runs.js';

const FINISHED = 5_000;

/** What the plan does with `runs` (its alias `r` in the joins). */
function runsPlan(db: Database.Database, sql: string, params: unknown): string[] {
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params as never) as { detail: string }[];
  return plan.map((step) => step.detail).filter((detail) => / (runs|r) /.test(`${detail} `));
}

describe.each(['none', 'after ANALYZE'])('run queue plans on SQLite; statistics: %s', (statistics) => {
  let db: Database.Database;

  beforeAll(() => {
    db = new Database(':memory:');
    migrate(db);
    db.exec(`INSERT INTO threads (id, tenant, created_at, metadata, tool_resources) VALUES
      ('thread_busy', 'busy', 1, '{}', '{}'), ('thread_other', 'other', 1, '{}', '{}')`);
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${FINISHED})
      INSERT INTO runs (id, tenant, thread_seq, status, run) SELECT 'run_' || i, 'busy', 1, 'completed', '{}' FROM n`);
    db.exec(`INSERT INTO runs (id, tenant, thread_seq, status, expires_at, run, owner, lease_until) VALUES
      ('run_live', 'busy', 1, 'in_progress', 99, '{}', 'process_a', 5),
      ('run_waiting', 'other', 2, 'requires_action', 99, '{}', NULL, NULL)`);
    if (statistics === 'after ANALYZE') db.exec('ANALYZE');
  });
  afterAll(() => db.close());

  test('the count of a tenant unfinished runs reads its own index', () => {
    expect(runsPlan(db, RUN_QUEUE_SQL.activeOf, ['busy'])).toEqual([
      'SEARCH runs USING INDEX runs_active_by_tenant (tenant=?)',
    ]);
  });

  test('a renewal reads the runs its process holds', () => {
    expect(runsPlan(db, RUN_QUEUE_SQL.renew, [10, 'process_a'])).toEqual([
      expect.stringMatching(/^SEARCH runs USING (COVERING )?INDEX runs_by_owner \(owner=\?\)$/),
    ]);
  });

  test('the sweep walks the executable runs in order, not every run', () => {
    expect(runsPlan(db, RUN_QUEUE_SQL.stranded, { owner: 'process_b', now: 10, limit: 100 })).toEqual([
      'SCAN r USING INDEX runs_executable_in_order',
    ]);
  });

  test("a list cursor's run is found by its id, not among its thread's runs", () => {
    expect(runsPlan(db, RUN_CURSOR_SQL, ['busy', 'run_17', 1])).toEqual([
      'SEARCH runs USING INDEX sqlite_autoindex_runs_1 (tenant=? AND id=?)',
    ]);
  });
});
