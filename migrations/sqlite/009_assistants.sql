-- Assistants (Assistants API v2): each tenant's, in creation order. `settings` is the assistant's JSON without
-- its id and timestamp (src/store/engine/assistant-row.ts); `seq` gives the order and the list cursors.
CREATE TABLE IF NOT EXISTS assistants (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  settings TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS assistants_by_tenant ON assistants (tenant, seq);

-- What is left of a deleted assistant: its place in its tenant's list, so a cursor naming it still works.
CREATE TABLE IF NOT EXISTS deleted_assistants (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  seq INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
