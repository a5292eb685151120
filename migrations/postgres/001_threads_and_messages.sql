-- Threads and their messages. JSON is kept as text: PostgreSQL's jsonb (and text) reject the NUL character,
-- and JSON.stringify writes it, like every control character and lone surrogate, as an escape.
CREATE TABLE threads (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  tenant text NOT NULL,
  created_at bigint NOT NULL,
  metadata text NOT NULL,
  tool_resources text NOT NULL,
  -- The position of the thread's latest message. A writer takes the next one while holding this row's lock
  -- until it commits, so positions commit in order and a reader never sees a gap that fills in later.
  last_position bigint NOT NULL DEFAULT 0
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
