-- The thread view's pages read this index: only user and assistant messages, in order, so a page reads the
-- rows it shows, however many items of other types (function calls, reasoning...) lie between them. Its
-- condition is the thread view's filter (src/store/engine/item-row.ts), which the page statements write
-- out literally (not behind a parameter) so that every plan, generic ones included, can prove it.
CREATE INDEX messages_in_thread_view ON messages (thread_seq, position) WHERE type = 'message' AND role IN ('user', 'assistant');
