-- Each thread's metadata pairs, so a list filtered by metadata walks only threads that hold a wanted pair
-- (in seq order, through the primary key) instead of every thread of the tenant.
CREATE TABLE thread_metadata (
  tenant TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  thread_seq INTEGER NOT NULL REFERENCES threads (seq) ON DELETE CASCADE,
  PRIMARY KEY (tenant, key, value, thread_seq)
) STRICT, WITHOUT ROWID;

CREATE INDEX thread_metadata_by_thread ON thread_metadata (thread_seq);

INSERT INTO thread_metadata (tenant, key, value, thread_seq)
  SELECT threads.tenant, pair.key, pair.value, threads.seq
  FROM threads, json_each(threads.metadata) AS pair
  WHERE pair.type = 'text';

-- The run_id list filter: only imported messages have a run id, so the index holds only those.
CREATE INDEX messages_by_run ON messages (thread_seq, run_id, seq) WHERE run_id IS NOT NULL;
