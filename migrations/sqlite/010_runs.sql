-- Runs and their steps. A run's state is its row: each transition (queued, in_progress, requires_action, …)
-- is a write, so a run can be read, polled and settled from the store alone. `run` and `step` hold the
-- whole wire object as JSON; `status` and `expires_at` are copied out for the thread lock and the expiry sweep.
CREATE TABLE IF NOT EXISTS runs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  tenant TEXT NOT NULL,
  thread_seq INTEGER NOT NULL REFERENCES threads (seq) ON DELETE CASCADE,
  status TEXT NOT NULL,
  expires_at INTEGER,
  run TEXT NOT NULL,
  UNIQUE (tenant, id)
) STRICT;

CREATE INDEX IF NOT EXISTS runs_by_thread ON runs (thread_seq, seq);
-- The thread lock and the expiry sweep read only unfinished runs.
CREATE INDEX IF NOT EXISTS runs_unfinished ON runs (expires_at)
  WHERE status IN ('queued', 'in_progress', 'requires_action', 'cancelling');
CREATE INDEX IF NOT EXISTS runs_active_by_thread ON runs (thread_seq)
  WHERE status IN ('queued', 'in_progress', 'requires_action', 'cancelling');

CREATE TABLE IF NOT EXISTS run_steps (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  run_seq INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  step TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS run_steps_by_run ON run_steps (run_seq, seq);
