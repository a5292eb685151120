-- Each Idempotency-Key record names the object its create made (thread_id, and object_id: the thread's or
-- the message's id), so deleting the object neuters the record or removes it; `response` is null once the
-- object is gone. Records are purged oldest first once past the 24-hour window (idempotency_keys_by_age).
ALTER TABLE idempotency_keys
  ALTER COLUMN response DROP NOT NULL,
  ADD COLUMN thread_id text,
  ADD COLUMN object_id text;

-- Read from the text, not as json: PostgreSQL refuses to decode a \u0000 anywhere in it. A response is the
-- object as the store wrote it, "id" first, then (for a message) "object", "created_at", "thread_id".
UPDATE idempotency_keys SET object_id = substring(response FROM '^\{"id":"([^"]*)"');
UPDATE idempotency_keys
SET thread_id = CASE WHEN object_id LIKE 'thread\_%' THEN object_id ELSE substring(response FROM '"thread_id":"([^"]*)"') END;

-- Content deleted before this migration leaves the records too.
UPDATE idempotency_keys k SET response = NULL
WHERE NOT EXISTS (SELECT 1 FROM threads WHERE threads.id = k.object_id)
  AND NOT EXISTS (SELECT 1 FROM messages WHERE messages.id = k.object_id);

ALTER TABLE idempotency_keys
  ALTER COLUMN thread_id SET NOT NULL,
  ALTER COLUMN object_id SET NOT NULL;
CREATE INDEX idempotency_keys_by_object ON idempotency_keys (thread_id, object_id);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
