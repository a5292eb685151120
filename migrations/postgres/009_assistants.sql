-- Assistants (Assistants API v2): each tenant's, in creation order. `settings` is the assistant's JSON without
-- its id and timestamp (src/store/engine/assistant-row.ts), kept as text like every JSON column here.

-- Each tenant's latest assistant position, taken under this row's lock, so positions commit in order and a
-- list never sees a gap fill in later (as tenant_positions does for threads).
CREATE TABLE assistant_positions (
  tenant text PRIMARY KEY,
  last_position bigint NOT NULL,
  -- The latest assistant's created_at: a replica whose clock is behind never makes it go back.
  last_created_at bigint NOT NULL
);

CREATE TABLE assistants (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  tenant text NOT NULL,
  position bigint NOT NULL,
  created_at bigint NOT NULL,
  settings text NOT NULL,
  UNIQUE (tenant, position)
);

-- What is left of a deleted assistant: its place in its tenant's list, so a cursor naming it still works.
CREATE TABLE deleted_assistants (
  id text PRIMARY KEY,
  tenant text NOT NULL,
  position bigint NOT NULL
);
