-- The run queue's statements read only the runs they are about, however many a tenant has finished. Their
-- conditions are UNFINISHED_SQL and EXECUTABLE_SQL (src/store/engine/run-row.ts), which the statements repeat
-- word for word: SQLite uses a partial index only for a query whose WHERE holds the index's terms. The planner
-- picks these with statistics and without (test/store/sqlite/run-queue-plan.test.ts).

-- A tenant's unfinished runs, counted on every run create (RUNS_PER_TENANT).
CREATE INDEX IF NOT EXISTS runs_active_by_tenant ON runs (tenant)
  WHERE status IN ('queued', 'in_progress', 'requires_action', 'cancelling');

-- The runs a process holds, renewed on every heartbeat. A turn's end clears its run's owner, so this holds
-- the runs in flight and the few left owned by a process that died, or lost its database, before it did.
CREATE INDEX IF NOT EXISTS runs_by_owner ON runs (owner) WHERE owner IS NOT NULL;

-- The sweep's runs, oldest first: walked in order, where the sweep read every run in order of seq. It
-- replaces runs_executable (migration 011), on lease_until, which the sweep's condition cannot search by.
CREATE INDEX IF NOT EXISTS runs_executable_in_order ON runs (seq)
  WHERE status IN ('queued', 'in_progress', 'cancelling');
DROP INDEX IF EXISTS runs_executable;
