-- Run leases: the process executing a run's turn (`owner`, an id made at start-up) holds it until
-- `lease_until` (milliseconds since the epoch) and renews it while it executes. A run whose lease has
-- passed, in `queued`, `in_progress` or `cancelling`, is recovered by the next sweep. A new run, and a run
-- given its tool outputs, carry a short reservation with no owner, so that the process that took the
-- request starts it before any sweep does. The two columns are added by the migration's code step
-- (src/store/sqlite/run-lease-columns.ts): SQLite cannot add a column only when it is missing.
CREATE INDEX IF NOT EXISTS runs_executable ON runs (lease_until)
  WHERE status IN ('queued', 'in_progress', 'cancelling');
