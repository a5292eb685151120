-- Conversations: a thread is a conversation, and `messages` holds every item of it, whichever API wrote
-- it. `type` and `role` let the thread view filter in SQL; `item` is the item as the Conversations API
-- wrote it (NULL for a message of the thread API, whose `content` is in that API's form).
-- Item ids are unique per tenant, not across tenants (checked by the store on write), so the UNIQUE
-- constraint on `messages.id` goes: SQLite can only drop it by rebuilding the table. Seqs are kept, and so
-- is the AUTOINCREMENT counter, so a deleted message's seq is never handed out again.
CREATE TABLE messages_v4 (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  thread_seq INTEGER NOT NULL REFERENCES threads (seq) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  type TEXT NOT NULL,
  role TEXT NOT NULL,
  item TEXT,
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

INSERT INTO messages_v4 (seq, id, thread_seq, created_at, type, role, item, content, attachments, metadata, status,
  incomplete_details, completed_at, incomplete_at, assistant_id, run_id)
SELECT seq, id, thread_seq, created_at, 'message', role, NULL, content, attachments, metadata, status,
  incomplete_details, completed_at, incomplete_at, assistant_id, run_id
FROM messages;

DELETE FROM sqlite_sequence WHERE name = 'messages_v4';
INSERT INTO sqlite_sequence (name, seq) SELECT 'messages_v4', seq FROM sqlite_sequence WHERE name = 'messages';
DROP TABLE messages;
ALTER TABLE messages_v4 RENAME TO messages;
CREATE INDEX messages_by_thread ON messages (thread_seq, seq);
CREATE INDEX messages_by_id ON messages (id);
-- The dropped table took migration 003's delete counter with it; the count itself is taken again.
CREATE TRIGGER messages_counted_out AFTER DELETE ON messages
BEGIN UPDATE row_counts SET n = n - 1 WHERE name = 'messages'; END;
UPDATE row_counts SET n = (SELECT count(*) FROM messages) WHERE name = 'messages';

-- Tombstones are unique per thread; the store checks an id against a tenant's tombstones too.
CREATE TABLE deleted_messages_v4 (
  id TEXT NOT NULL,
  thread_seq INTEGER NOT NULL REFERENCES threads (seq) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  PRIMARY KEY (thread_seq, id)
) STRICT, WITHOUT ROWID;
INSERT INTO deleted_messages_v4 (id, thread_seq, seq) SELECT id, thread_seq, seq FROM deleted_messages;
DROP TABLE deleted_messages;
ALTER TABLE deleted_messages_v4 RENAME TO deleted_messages;
CREATE INDEX deleted_messages_by_id ON deleted_messages (id);
