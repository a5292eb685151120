-- Each Idempotency-Key record names the object its create made (thread_id, and object_id: the thread's or
-- the message's id), so deleting the object neuters the record or removes it; `response` is null once the
-- object is gone. Records are purged oldest first once past the 24-hour window (idempotency_keys_by_age).
CREATE TABLE idempotency_keys_003 (
  tenant TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response TEXT,
  thread_id TEXT NOT NULL,
  object_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, key)
) STRICT, WITHOUT ROWID;

INSERT INTO idempotency_keys_003 (tenant, key, fingerprint, response, thread_id, object_id, created_at)
SELECT tenant, key, fingerprint, response,
  coalesce(json_extract(response, '$.thread_id'), json_extract(response, '$.id')), json_extract(response, '$.id'), created_at
FROM idempotency_keys;

-- Content deleted before this migration leaves the records too.
UPDATE idempotency_keys_003 SET response = NULL
WHERE NOT EXISTS (SELECT 1 FROM threads WHERE threads.id = object_id)
  AND NOT EXISTS (SELECT 1 FROM messages WHERE messages.id = object_id);

DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_003 RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_by_object ON idempotency_keys (thread_id, object_id);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- How many threads and messages are stored, so the metrics gauges read two rows instead of counting whole
-- tables. Every insert adds itself in its own transaction (the store's creates and imports, sqlite-store.ts
-- `countInserted`: an insert trigger made a thread create of 1,000 messages 2.7 times slower); deletes,
-- cascades included, are counted by these triggers, which cost a delete nothing measurable.
CREATE TABLE row_counts (
  name TEXT PRIMARY KEY,
  n INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO row_counts (name, n) VALUES
  ('threads', (SELECT count(*) FROM threads)),
  ('messages', (SELECT count(*) FROM messages));

CREATE TRIGGER threads_counted_out AFTER DELETE ON threads
BEGIN UPDATE row_counts SET n = n - 1 WHERE name = 'threads'; END;
CREATE TRIGGER messages_counted_out AFTER DELETE ON messages
BEGIN UPDATE row_counts SET n = n - 1 WHERE name = 'messages'; END;
