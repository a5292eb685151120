-- Every item an Idempotency-Key record answers with (an items create makes up to 20, a message create one),
-- so deleting any of them, not only the first, takes the content out of the record and ends its replay.
-- Rows go with their record: when its key is written again, when its thread is deleted, when it is purged.
CREATE TABLE idempotency_objects (
  tenant TEXT NOT NULL,
  key TEXT NOT NULL,
  object_id TEXT NOT NULL,
  PRIMARY KEY (tenant, key, object_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_objects_by_object ON idempotency_objects (tenant, object_id);

-- The records already made: an items create's response is the array of its items; an older message
-- create's (before migration 004) is the one message. A thread's record names no item.
INSERT OR IGNORE INTO idempotency_objects (tenant, key, object_id)
SELECT k.tenant, k.key, json_extract(e.value, '$.id')
FROM idempotency_keys k, json_each(k.response) e
WHERE k.response IS NOT NULL AND json_type(k.response) = 'array';
INSERT OR IGNORE INTO idempotency_objects (tenant, key, object_id)
SELECT tenant, key, object_id FROM idempotency_keys WHERE object_id <> thread_id;
