-- Threads and their messages. `seq` columns give the order and the list cursors; ids are random.
-- AUTOINCREMENT: a deleted row's seq is never handed out again, so a cursor naming it stays unambiguous.
CREATE TABLE threads (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  tool_resources TEXT NOT NULL
) STRICT;

CREATE TABLE messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  thread_seq INTEGER NOT NULL REFERENCES threads (seq) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  attachments TEXT NOT NULL,
  metadata TEXT NOT NULL,
  status TEXT NOT NULL,
  incomplete_details TEXT,
  completed_at INTEGER,
  incomplete_at INTEGER,
  assistant_id TEXT,
  run_id TEXT
) STRICT;

CREATE INDEX messages_by_thread ON messages (thread_seq, seq);

-- What is left of a deleted message: only its position, so a list cursor naming it keeps working.
CREATE TABLE deleted_messages (
  id TEXT PRIMARY KEY,
  thread_seq INTEGER NOT NULL REFERENCES threads (seq) ON DELETE CASCADE,
  seq INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX deleted_messages_by_thread ON deleted_messages (thread_seq);
