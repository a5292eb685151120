// A deleted thread's rows leave in the background (src/store/engine/thread-purge.ts): every item of it,
// whatever its type, and its tombstones, before the thread row itself; never another thread's rows.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { ItemIdTaken } from '../../src/store/store-errors.js';
import type { NewItem } from '../../src/store/types.js';
import { ITEM_EXAMPLES } from '../fixtures/conversation-item-examples.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { executeOnDatabase, queryDatabase } from '../helpers/sql.js';

/** Logs, as a thread row is deleted, how many of its items and tombstones are still stored. */
const PURGE_LOG = {
  sqlite: `CREATE TABLE purge_log (thread_seq INTEGER, items_left INTEGER, tombstones_left INTEGER);
    CREATE TRIGGER log_thread_purge BEFORE DELETE ON threads BEGIN
      INSERT INTO purge_log VALUES (old.seq, (SELECT count(*) FROM messages WHERE thread_seq = old.seq),
        (SELECT count(*) FROM deleted_messages WHERE thread_seq = old.seq));
    END;`,
  postgres: `CREATE TABLE purge_log (thread_seq integer, items_left integer, tombstones_left integer);
    CREATE FUNCTION log_thread_purge() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO purge_log VALUES (OLD.seq, (SELECT count(*) FROM messages WHERE thread_seq = OLD.seq),
        (SELECT count(*) FROM deleted_messages WHERE thread_seq = OLD.seq));
      RETURN OLD;
    END $$;
    CREATE TRIGGER log_thread_purge BEFORE DELETE ON threads FOR EACH ROW EXECUTE FUNCTION log_thread_purge();`,
};

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

const rows = <Row>(sql: string) => queryDatabase<Row>(t.engine, t.databaseUrl, sql);
const count = async (sql: string) => (await rows<{ n: number }>(`SELECT CAST(count(*) AS INTEGER) AS n ${sql}`))[0]!.n;
/** A thread's seq (PostgreSQL's bigint comes back as text through the plain client). */
const seqOf = async (threadId: string) =>
  Number((await rows<{ seq: number }>(`SELECT seq FROM threads WHERE id = '${threadId}'`))[0]!.seq);

/** Waits for the background purge to delete the thread row at `seq`. */
async function purged(seq: number) {
  const deadline = Date.now() + 20_000;
  while ((await count(`FROM threads WHERE seq = ${seq}`)) > 0) {
    if (Date.now() > deadline) throw new Error(`thread ${seq} was not purged`);
    await sleep(20);
  }
}

const message = (id: string): NewItem => ({
  id,
  type: 'message',
  role: 'user',
  item: null,
  content: [{ type: 'text', text: { value: id, annotations: [] } }],
  status: 'completed',
  attachments: [],
  metadata: {},
});

test("a thread's tombstones are purged by thread and id: another tenant's tombstones of the same ids stay", async () => {
  const store = t.app.store;
  const ids = ['msg_sharedByTwoTenants00001', 'msg_sharedByTwoTenants00002'];
  const threadOf = async (tenant: string) => {
    const thread = await store.threads.create(tenant, { metadata: {}, tool_resources: {}, items: ids.map(message) });
    for (const id of ids) expect(await store.items.delete(tenant, thread.id, id, 'all')).toBe(true);
    return thread.id;
  };
  const purgedThread = await threadOf('tenant-a');
  const kept = await threadOf('tenant-b');
  const purgedSeq = await seqOf(purgedThread);
  const keptSeq = await seqOf(kept);

  expect(await store.threads.delete('tenant-a', purgedThread)).toBe(true);
  await purged(purgedSeq);

  expect(await count(`FROM deleted_messages WHERE thread_seq = ${purgedSeq}`)).toBe(0);
  expect(await rows(`SELECT id FROM deleted_messages WHERE thread_seq = ${keptSeq} ORDER BY id`)).toEqual(
    ids.map((id) => ({ id })),
  );
  // Still cursors of tenant-b's thread, and still taken in tenant-b.
  const query = { limit: 20, order: 'asc' as const, after: ids[1], view: 'all' as const };
  expect(await store.items.list('tenant-b', kept, query)).toEqual({ data: [], has_more: false });
  const taken = store.items.create('tenant-b', kept, [message(ids[0]!)]);
  await expect(taken).rejects.toBeInstanceOf(ItemIdTaken);
  await expect(taken).rejects.toMatchObject({ index: 0, id: ids[0] });
});

test('deleting a conversation purges every item of it, messages and other types alike, before its row', async () => {
  await executeOnDatabase(t.engine, t.databaseUrl, PURGE_LOG[t.engine]);
  const { function_call, function_call_output, reasoning } = ITEM_EXAMPLES;
  const create = async (items: unknown[]) =>
    (await t.app.inject({ method: 'POST', url: '/v1/conversations', payload: { items } })).json().id as string;
  const deleted = await create([
    { type: 'message', role: 'user', content: 'Hello' },
    function_call,
    function_call_output,
    reasoning,
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] },
  ]);
  const kept = await create([{ type: 'message', role: 'user', content: 'Other' }, function_call]);
  const keptItems = (await t.app.inject({ method: 'GET', url: `/v1/conversations/${kept}/items` })).json();
  const seq = await seqOf(deleted);
  const types = await rows<{ type: string }>(`SELECT type FROM messages WHERE thread_seq = ${seq} ORDER BY type`);
  expect(types.map((row) => row.type)).toEqual([
    'function_call',
    'function_call_output',
    'message',
    'message',
    'reasoning',
  ]);
  const firstItem = (await t.app.inject({ method: 'GET', url: `/v1/conversations/${deleted}/items?order=asc` })).json()
    .data[0].id;
  await t.app.inject({ method: 'DELETE', url: `/v1/conversations/${deleted}/items/${firstItem}` });

  expect((await t.app.inject({ method: 'DELETE', url: `/v1/conversations/${deleted}` })).statusCode).toBe(200);
  await purged(seq);

  expect(await count(`FROM messages WHERE thread_seq = ${seq}`)).toBe(0);
  expect(await count(`FROM deleted_messages WHERE thread_seq = ${seq}`)).toBe(0);
  // The purge took the items and tombstones itself; the row went last, with nothing left to cascade to.
  expect(await rows('SELECT thread_seq, items_left, tombstones_left FROM purge_log')).toEqual([
    { thread_seq: seq, items_left: 0, tombstones_left: 0 },
  ]);
  expect((await t.app.inject({ method: 'GET', url: `/v1/conversations/${kept}/items` })).json()).toEqual(keptItems);
});
