-- Conversations: a thread is a conversation, and `messages` holds every item of it, whichever API wrote
-- it. `type` and `role` let the thread view filter in SQL; `item` is the item as the Conversations API
-- wrote it (NULL for a message of the thread API, whose `content` is in that API's form).
ALTER TABLE messages ADD COLUMN type text NOT NULL DEFAULT 'message', ADD COLUMN item text;
ALTER TABLE messages ALTER COLUMN type DROP DEFAULT;

-- Item ids are unique per tenant, not across tenants: the store checks on write, under an advisory lock.
ALTER TABLE messages DROP CONSTRAINT messages_id_key;
CREATE INDEX messages_by_id ON messages (id);
ALTER TABLE deleted_messages DROP CONSTRAINT deleted_messages_pkey;
ALTER TABLE deleted_messages ADD PRIMARY KEY (thread_seq, id);
DROP INDEX deleted_messages_by_thread;
CREATE INDEX deleted_messages_by_id ON deleted_messages (id);
