-- Listing a tenant's threads in order, with cursors that survive deletion like message cursors.
CREATE INDEX threads_by_tenant ON threads (tenant, seq);

CREATE TABLE deleted_threads (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  seq INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The first response to a create sent with an Idempotency-Key, per tenant, kept for 24 hours.
CREATE TABLE idempotency_keys (
  tenant TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  response TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, key)
) STRICT, WITHOUT ROWID;
