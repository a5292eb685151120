-- The thread view's pages read this index: only user and assistant messages, in order, so a page reads the
-- rows it shows, however many items of other types (function calls, reasoning...) lie between them. Its
-- condition is THREAD_VIEW_SQL (src/store/engine/item-row.ts), which the page statements repeat word for word:
-- SQLite uses a partial index only for a query whose WHERE holds the index's terms.
CREATE INDEX IF NOT EXISTS messages_in_thread_view ON messages (thread_seq, seq) WHERE type = 'message' AND role IN ('user', 'assistant');
