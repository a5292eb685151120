-- Threads and their messages. JSON is kept as text: PostgreSQL's jsonb (and text) reject the NUL character,
-- and JSON.stringify writes it, like every control character and lone surrogate, as an escape.

-- Each tenant's latest thread position, taken under this row's lock like message positions below.
CREATE TABLE tenant_positions (
  tenant text PRIMARY KEY,
  last_position bigint NOT NULL,
  -- The latest thread's created_at: a replica whose clock is behind never makes it go back.
  last_created_at bigint NOT NULL
);

CREATE TABLE threads (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  tenant text NOT NULL,
  -- The thread's place in its tenant's list of threads.
  position bigint NOT NULL,
  created_at bigint NOT NULL,
  metadata text NOT NULL,
  tool_resources text NOT NULL,
  -- The position of the thread's latest message. A writer takes the next one while holding this row's lock
  -- until it commits, so positions commit in order and a reader never sees a gap that fills in later.
  last_position bigint NOT NULL DEFAULT 0,
  -- The latest message's created_at (0 before the first), kept for the same reason.
  last_created_at bigint NOT NULL,
  UNIQUE (tenant, position)
);

-- What is left of a deleted thread: its position in the tenant's list, for cursors.
CREATE TABLE deleted_threads (
  id text PRIMARY KEY,
  tenant text NOT NULL,
  position bigint NOT NULL
);

-- The first response to a create sent with an Idempotency-Key, per tenant, answered again for 24 hours.
CREATE TABLE idempotency_keys (
  tenant text NOT NULL,
  key text NOT NULL,
  fingerprint text NOT NULL,
  response text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (tenant, key)
);

CREATE TABLE messages (
  thread_seq bigint NOT NULL REFERENCES threads (seq) ON DELETE CASCADE,
  position bigint NOT NULL,
  id text NOT NULL UNIQUE,
  created_at bigint NOT NULL,
  role text NOT NULL,
  content text NOT NULL,
  attachments text NOT NULL,
  metadata text NOT NULL,
  status text NOT NULL,
  incomplete_details text,
  completed_at bigint,
  incomplete_at bigint,
  assistant_id text,
  run_id text,
  PRIMARY KEY (thread_seq, position)
);

-- What is left of a deleted message: only its position, so a list cursor naming it keeps working.
CREATE TABLE deleted_messages (
  id text PRIMARY KEY,
  thread_seq bigint NOT NULL REFERENCES threads (seq) ON DELETE CASCADE,
  position bigint NOT NULL
);

CREATE INDEX deleted_messages_by_thread ON deleted_messages (thread_seq);
