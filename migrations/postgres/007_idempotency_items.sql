-- Every item an Idempotency-Key record answers with (an items create makes up to 20, a message create one),
-- so deleting any of them, not only the first, takes the content out of the record and ends its replay.
-- Rows go with their record: when its key is written again, when its thread is deleted, when it is purged.
CREATE TABLE idempotency_objects (
  tenant text NOT NULL,
  key text NOT NULL,
  object_id text NOT NULL,
  PRIMARY KEY (tenant, key, object_id)
);
CREATE INDEX idempotency_objects_by_object ON idempotency_objects (tenant, object_id);

-- The records already made: an items create's response is the array of its items; an older message
-- create's (before migration 004) is the one message. A thread's record names no item. Read as json, not
-- jsonb: PostgreSQL refuses to decode a \u0000 into jsonb, and a response may hold one.
INSERT INTO idempotency_objects (tenant, key, object_id)
SELECT k.tenant, k.key, e.value ->> 'id'
FROM idempotency_keys k, json_array_elements(k.response::json) e
WHERE k.response LIKE '[%'
ON CONFLICT DO NOTHING;
INSERT INTO idempotency_objects (tenant, key, object_id)
SELECT tenant, key, object_id FROM idempotency_keys WHERE object_id <> thread_id
ON CONFLICT DO NOTHING;
