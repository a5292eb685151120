-- Runs and their steps. A run's state is its row: each transition (queued, in_progress, requires_action, …)
-- is a write, so a run can be read, polled and settled from the store alone. `run` and `step` hold the
-- whole wire object as JSON text (not jsonb, which rejects U+0000); `status` and `expires_at` are copied out
-- for the thread lock and the expiry sweep.
CREATE TABLE runs (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL,
  tenant text NOT NULL,
  thread_seq bigint NOT NULL REFERENCES threads (seq) ON DELETE CASCADE,
  status text NOT NULL,
  expires_at bigint,
  run text NOT NULL,
  UNIQUE (tenant, id)
);

CREATE INDEX runs_by_thread ON runs (thread_seq, seq);
CREATE INDEX runs_unfinished ON runs (expires_at)
  WHERE status IN ('queued', 'in_progress', 'requires_action', 'cancelling');
CREATE INDEX runs_active_by_thread ON runs (thread_seq)
  WHERE status IN ('queued', 'in_progress', 'requires_action', 'cancelling');

CREATE TABLE run_steps (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  run_seq bigint NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  step text NOT NULL
);

CREATE INDEX run_steps_by_run ON run_steps (run_seq, seq);
