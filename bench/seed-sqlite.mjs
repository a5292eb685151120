// Writes threads and messages straight into a SQLite file through the real migrations: a million
// messages in seconds, where HTTP would take minutes. Rows look exactly as the store writes them.
import Database from 'better-sqlite3';
import { migrate } from '../dist/store/sqlite/migrate.js';
import { newId } from '../dist/ids.js';
import { newItemIdOf } from '../dist/views/conversation-view.js';
import { itemJsonOf } from '../dist/views/response-json.js';
import { FUNCTION_CALL } from './function-call.mjs';
import { messageText } from './message-text.mjs';

const BATCH = 50_000;

/**
 * `threads` is a list of message counts, one per thread; a thread given as `{ count, hidden }` has `hidden`
 * function calls after each of its messages, which the thread view does not show. Returns, per thread, its
 * id and a sample of its message ids in insertion order (every `stride`-th one, at most `keep` of them).
 */
export function seedSqlite(path, threads, { keep = 100_000 } = {}) {
  const db = new Database(path);
  // No journal while seeding a throwaway file: every page is written once, straight into the database.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.pragma('foreign_keys = OFF'); // every message goes into a thread inserted just before it
  migrate(db);
  const insertThread = db.prepare(
    "INSERT INTO threads (id, tenant, created_at, metadata, tool_resources) VALUES (?, '', ?, '{}', '{}') RETURNING seq",
  );
  const insertMessage = db.prepare(
    `INSERT INTO messages (id, thread_seq, created_at, type, role, item, content, attachments, metadata, status, completed_at,
       thread_json, item_json)
     VALUES (?, ?, ?, 'message', ?, NULL, ?, '[]', '{}', 'completed', ?, ?, ?)`,
  );
  const insertCall = db.prepare(
    `INSERT INTO messages (id, thread_seq, created_at, type, role, item, content, attachments, metadata, status, completed_at,
       thread_json, item_json)
     VALUES (?, ?, ?, 'function_call', '', ?, '[]', '[]', '{}', 'completed', ?, NULL, ?)`,
  );
  const callJson = JSON.stringify(FUNCTION_CALL);
  const createdAt = Math.floor(Date.now() / 1000);
  const insertBatch = db.transaction((thread, from, to, sample, stride, hidden) => {
    for (let i = from; i < to; i++) {
      const record = {
        id: newId('msg'),
        created_at: createdAt,
        type: 'message',
        role: i % 2 === 0 ? 'user' : 'assistant',
        item: null,
        content: [{ type: 'text', text: { value: messageText(i), annotations: [] } }],
        status: 'completed',
        incomplete_details: null,
        completed_at: createdAt,
        incomplete_at: null,
        assistant_id: null,
        run_id: null,
        attachments: [],
        metadata: {},
      };
      // The stored answers, rendered as the store renders them on write.
      const json = itemJsonOf(record, thread.id);
      const content = JSON.stringify(record.content);
      insertMessage.run(record.id, thread.seq, createdAt, record.role, content, createdAt, json.thread, json.item);
      if (i % stride === 0) sample.push(record.id);
      for (let h = 0; h < hidden; h++) {
        const call = {
          ...record,
          id: newItemIdOf('function_call'),
          type: 'function_call',
          role: '',
          item: FUNCTION_CALL,
        };
        insertCall.run(
          call.id,
          thread.seq,
          createdAt,
          callJson,
          createdAt,
          itemJsonOf({ ...call, content: [] }, thread.id).item,
        );
      }
    }
  });
  const seeded = [];
  for (const shape of threads) {
    const { count, hidden = 0 } = typeof shape === 'number' ? { count: shape } : shape;
    const id = newId('thread');
    const { seq } = insertThread.get(id, createdAt);
    const stride = Math.max(1, Math.ceil(count / keep));
    const messageIds = [];
    const batch = Math.max(1, Math.floor(BATCH / (1 + hidden)));
    for (let from = 0; from < count; from += batch)
      insertBatch({ seq, id }, from, Math.min(count, from + batch), messageIds, stride, hidden);
    seeded.push({ id, count, stride, messageIds });
  }
  // What the store's countInserted keeps: the metrics gauges read these two rows.
  db.exec(`UPDATE row_counts SET n = (SELECT count(*) FROM threads) WHERE name = 'threads';
    UPDATE row_counts SET n = (SELECT count(*) FROM messages) WHERE name = 'messages';`);
  db.pragma('journal_mode = WAL');
  db.close();
  return seeded;
}
