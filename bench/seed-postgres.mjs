// Writes threads and messages straight into a fresh PostgreSQL database through the real migrations, in
// 50,000-row multi-row INSERTs: a million messages in seconds, where HTTP would take many minutes. Rows and
// counters are as the store keeps them: tenant counter row, thread positions, each thread's last message
// position and created_at, message positions 1..n without gaps.
import pg from 'pg';
import { migrate } from '../dist/store/postgres/migrate.js';
import { newId } from '../dist/ids.js';
import { FUNCTION_CALL } from './function-call.mjs';
import { messageText } from './message-text.mjs';

const BATCH = 50_000;
const TEXT = messageText(0).slice(messageText(0).indexOf('.') + 1);

// Positions are 1-based; message i (0-based) is at position i * $6 + 1 ($6: 1, plus the function calls after
// each), its text is messageText(i), as SQLite's seed.
const INSERT_MESSAGES = `INSERT INTO messages (thread_seq, position, id, created_at, type, role, item, content, attachments, metadata,
    status, completed_at)
  SELECT $1, ($2 + given.n - 1) * $6 + 1, given.id, $3, 'message', CASE WHEN ($2 + given.n - 1) % 2 = 0 THEN 'user' ELSE 'assistant' END, NULL,
    '[{"type":"text","text":{"value":"' || left('Message ' || lpad(($2 + given.n - 1)::text, 8, '0') || '.' || $4, 200)
      || '","annotations":[]}}]',
    '[]', '{}', 'completed', $3
  FROM unnest($5::text[]) WITH ORDINALITY AS given (id, n)`;

// $4 function calls after each of messages $2 to $3 - 1 (0-based) of thread $1, as the store keeps one
// (`item` as FUNCTION_CALL's JSON, $6), ids made of their position: unique, in the store's format.
const INSERT_CALLS = `INSERT INTO messages (thread_seq, position, id, created_at, type, role, item, content, attachments, metadata,
    status, completed_at)
  SELECT $1::bigint, m * ($4 + 1) + 1 + k, 'fc_' || md5($1::bigint || '.' || (m * ($4 + 1) + 1 + k)), $5, 'function_call', '', $6,
    '[]', '[]', '{}', 'completed', $5
  FROM generate_series($2::bigint, $3::bigint - 1) AS m, generate_series(1, $4::bigint) AS k`;

/**
 * `threads` is a list of message counts, one per thread, all of the default tenant ''; a thread given as
 * `{ count, hidden }` has `hidden` function calls after each of its messages, which the thread view does not
 * show. Returns, per thread, its id and a sample of its message ids in insertion order (every `stride`-th
 * one, at most `keep` of them).
 */
export async function seedPostgres(url, threads, { keep = 100_000 } = {}) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(client);
    const createdAt = Math.floor(Date.now() / 1000);
    const seeded = [];
    await client.query('BEGIN');
    await client.query('INSERT INTO tenant_positions (tenant, last_position, last_created_at) VALUES ($1, $2, $3)', [
      '',
      threads.length,
      createdAt,
    ]);
    for (const [index, shape] of threads.entries()) {
      const { count, hidden = 0 } = typeof shape === 'number' ? { count: shape } : shape;
      const id = newId('thread');
      const { rows } = await client.query(
        `INSERT INTO threads (id, tenant, position, created_at, metadata, tool_resources, last_position, last_created_at)
         VALUES ($1, '', $2, $3, '{}', '{}', $4, $5) RETURNING seq`,
        [id, index + 1, createdAt, count * (1 + hidden), count > 0 ? createdAt : 0],
      );
      const stride = Math.max(1, Math.ceil(count / keep));
      const messageIds = [];
      const batch = Math.max(1, Math.floor(BATCH / (1 + hidden)));
      for (let from = 0; from < count; from += batch) {
        const ids = Array.from({ length: Math.min(count, from + batch) - from }, () => newId('msg'));
        await client.query(INSERT_MESSAGES, [rows[0].seq, from, createdAt, TEXT, ids, 1 + hidden]);
        if (hidden > 0) {
          const values = [rows[0].seq, from, from + ids.length, hidden, createdAt, JSON.stringify(FUNCTION_CALL)];
          await client.query(INSERT_CALLS, values);
        }
        ids.forEach((messageId, i) => {
          if ((from + i) % stride === 0) messageIds.push(messageId);
        });
      }
      seeded.push({ id, count, stride, messageIds });
    }
    await client.query('COMMIT');
    // What autovacuum would have done by the time a database holds this much: planner statistics and the
    // visibility map, so reads plan and scan as they would on a long-lived database.
    await client.query('VACUUM ANALYZE');
    await checkText(client, seeded);
    return seeded;
  } finally {
    await client.end();
  }
}

/** The SQL-built content of a thread's first and last message is byte for byte what the store would write. */
async function checkText(client, seeded) {
  const thread = seeded.find((t) => t.count > 1);
  if (!thread) return;
  const { rows } = await client.query(
    `SELECT m.position, m.content FROM messages m JOIN threads t ON t.seq = m.thread_seq
     WHERE t.id = $1 AND m.position IN (1, $2) ORDER BY m.position`,
    [thread.id, thread.count],
  );
  for (const row of rows) {
    const expected = JSON.stringify([
      { type: 'text', text: { value: messageText(row.position - 1), annotations: [] } },
    ]);
    if (row.content !== expected) throw new Error(`seeded content differs from the store's: ${row.content}`);
  }
}
