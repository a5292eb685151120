-- Each thread's metadata pairs, so a list filtered by metadata walks only threads that hold a wanted pair
-- (in position order, through the primary key) instead of every thread of the tenant. Keys and values are
-- kept JSON-encoded, as JSON.stringify writes them: PostgreSQL's text cannot hold U+0000, JSON can.
CREATE TABLE thread_metadata (
  tenant text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  position bigint NOT NULL,
  thread_seq bigint NOT NULL REFERENCES threads (seq) ON DELETE CASCADE,
  PRIMARY KEY (tenant, key, value, position)
);

CREATE INDEX thread_metadata_by_thread ON thread_metadata (thread_seq);

-- json_each leaves each value as the JSON text stored (what JSON.stringify wrote); to_json encodes a key the
-- same way. PostgreSQL refuses to decode \u0000, so a thread whose metadata holds one is indexed when next
-- modified instead.
INSERT INTO thread_metadata (tenant, key, value, position, thread_seq)
  SELECT threads.tenant, to_json(pair.key)::text, pair.value::text, threads.position, threads.seq
  FROM threads, json_each(threads.metadata::json) AS pair
  WHERE threads.metadata NOT LIKE '%\\u0000%';

-- The run_id list filter: only imported messages have a run id, so the index holds only those.
CREATE INDEX messages_by_run ON messages (thread_seq, run_id, position) WHERE run_id IS NOT NULL;
