-- Each item keeps its answers as JSON text, written with the item and rewritten when it changes: a retrieve
-- sends the text and a page is stitched from it (src/views/response-json.ts). `thread_json` is the thread
-- API's message object (NULL for an item the thread view does not show), `item_json` the Conversations
-- API's item. The rows stored before are filled by this migration's code step (src/store/sqlite/fill-item-json.ts),
-- which renders them with the views themselves: SQL cannot write what the response serializers write.
ALTER TABLE messages ADD COLUMN thread_json TEXT;
ALTER TABLE messages ADD COLUMN item_json TEXT;
