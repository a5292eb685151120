import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { toListResponse } from '../../../src/routes/list-response.js';
import { ConversationItemList } from '../../../src/schemas/conversations.js';
import { ListMessagesResponse, MessageObject } from '../../../src/schemas/messages.js';
import { compileSerializer } from '../../../src/schemas/compile/serialization.js';
import { ITEM_COLUMNS, type ItemRow, toRecord } from '../../../src/store/sqlite/item-rows.js';
import { loadMigrations, migrate } from '../../../src/store/sqlite/migrate.js';
import { toItem } from '../../../src/views/conversation-view.js';
import { toMessage } from '../../../src/views/thread-view.js';
import { buildTestApp } from '../../helpers/app.js';

// Migration 006 on a database written before it: every item gets its stored answers, and the API answers
// with them byte for byte what the code before answered (its serializers over the rows' columns).

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'threadstore-migration-006-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const THREAD = 'thread_writtenBeforeItemJson';
const AT = 1_790_000_000;

test('upgrading renders every stored item, and the answers stay what they were', async () => {
  const path = join(dir, 'threadstore.db');
  const db = new Database(path);
  migrate(
    db,
    loadMigrations().filter((m) => m.version < 6),
  );
  db.prepare(
    "INSERT INTO threads (id, tenant, created_at, metadata, tool_resources) VALUES (?, '', ?, '{}', '{}')",
  ).run(THREAD, AT);
  const insert = db.prepare(
    `INSERT INTO messages (id, thread_seq, created_at, type, role, item, content, attachments, metadata, status,
       completed_at, run_id) VALUES (?, 1, ${AT}, ?, ?, ?, ?, ?, ?, 'completed', ${AT}, ?)`,
  );
  const text = (value: string) => JSON.stringify([{ type: 'text', text: { value, annotations: [] } }]);
  insert.run('msg_thread1', 'message', 'user', null, text('Hi "there" \u2028 é'), '[]', '{"k":"v"}', null);
  insert.run(
    'msg_thread2',
    'message',
    'assistant',
    null,
    text('answer'),
    JSON.stringify([{ file_id: 'file_1', tools: [{ type: 'file_search' }] }]),
    '{}',
    'run_1',
  );
  const item = (body: object) => JSON.stringify(body);
  insert.run(
    'msg_items1',
    'message',
    'assistant',
    item({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'x' }] }),
    '[]',
    '[]',
    '{}',
    null,
  );
  insert.run(
    'msg_items2',
    'message',
    'system',
    item({ type: 'message', role: 'system', status: 'completed', content: [{ type: 'input_text', text: 'sys' }] }),
    '[]',
    '[]',
    '{}',
    null,
  );
  insert.run(
    'fc_items3',
    'function_call',
    '',
    item({ call_id: 'c', type: 'function_call', name: 'f', arguments: '{}', status: 'completed' }),
    '[]',
    '[]',
    '{}',
    null,
  );
  // What the code before this migration answered: its serializers over the rows' columns.
  const records = (db.prepare(`SELECT ${ITEM_COLUMNS} FROM messages ORDER BY seq`).raw().all() as ItemRow[]).map(
    toRecord,
  );
  db.close();
  const shown = records.filter((r) => r.type === 'message' && ['user', 'assistant'].includes(r.role));
  const message = compileSerializer(MessageObject);
  const messages = compileSerializer(ListMessagesResponse);
  const items = compileSerializer(ConversationItemList);

  const t = await buildTestApp({ DATABASE_URL: path });
  try {
    const get = async (url: string) => {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      return response.body;
    };
    for (const record of shown) {
      expect(await get(`/v1/threads/${THREAD}/messages/${record.id}`)).toBe(message(toMessage(record, THREAD)));
    }
    expect(await get(`/v1/threads/${THREAD}/messages?order=asc`)).toBe(
      messages(toListResponse({ data: shown.map((r) => toMessage(r, THREAD)), has_more: false })),
    );
    expect(await get(`/v1/conversations/${THREAD}/items?order=asc`)).toBe(
      items(toListResponse({ data: records.map(toItem), has_more: false })),
    );
    expect(await get(`/v1/conversations/${THREAD}/items?order=asc&limit=2&after=msg_thread2`)).toBe(
      items(toListResponse({ data: records.slice(2, 4).map(toItem), has_more: true })),
    );
  } finally {
    await t.close();
  }
  const after = new Database(path, { readonly: true });
  expect(after.prepare('SELECT count(*) FROM messages WHERE item_json IS NULL').pluck().get()).toBe(0);
  expect(after.prepare('SELECT id FROM messages WHERE thread_json IS NULL ORDER BY seq').pluck().all()).toEqual([
    'msg_items2',
    'fc_items3',
  ]);
  after.close();
});
