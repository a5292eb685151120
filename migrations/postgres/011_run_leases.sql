-- Run leases: the replica executing a run's turn (`owner`, an id each replica makes at start-up) holds it
-- until `lease_until` (milliseconds since the epoch) and renews it while it executes; another replica takes
-- over a run whose lease has passed in `queued`, `in_progress` or `cancelling` (docs: Runs that survive
-- restarts). A new run, and a run given its tool outputs, carry a short reservation with no owner, so that
-- the replica that took the request starts it (and streams its events) before any sweep does.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS owner text;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS lease_until bigint;

CREATE INDEX IF NOT EXISTS runs_executable ON runs (lease_until)
  WHERE status IN ('queued', 'in_progress', 'cancelling');
