import { afterEach, expect, test } from 'vitest';
import { expectError } from '../../helpers/api.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { executeOnDatabase, queryDatabase } from '../../helpers/sql.js';

/*
 * Issue 19, finding 4: an items create's Idempotency-Key record answers with every item it made, so the
 * delete of any of them (not only the first) takes its content out of the record, and a replay is the
 * 404 a read of that item gets, after a restart too.
 */

const opened: TestApp[] = [];
afterEach(async () => {
  for (const t of opened.splice(0).reverse()) await t.close();
});

async function open(reopen?: TestApp) {
  if (reopen) await reopen.app.close();
  const t = await buildTestApp({}, reopen ? { reopen } : {});
  opened.push(t);
  return t;
}

const KEY = { 'idempotency-key': 'two-items' };
const ITEMS = {
  items: [
    { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"note":"first, kept"}' },
    { type: 'message', role: 'user', content: 'second-item-content' },
  ],
};

const recordsHold = async (t: TestApp, text: string) =>
  (
    await queryDatabase<{ response: string | null }>(t.engine, t.databaseUrl, 'SELECT response FROM idempotency_keys')
  ).some(({ response }) => response?.includes(text));

test.each(['conversations', 'threads'] as const)(
  'deleting the second item of an idempotent items create (through the %s API) ends its replay',
  async (api) => {
    const t = await open();
    const conversation = (await t.app.inject({ method: 'POST', url: '/v1/conversations', payload: {} })).json();
    const url = `/v1/conversations/${conversation.id}/items`;
    const created = await t.app.inject({ method: 'POST', url, headers: KEY, payload: ITEMS });
    expect(created.statusCode).toBe(200);
    const [first, second] = created.json().data;
    expect((await t.app.inject({ method: 'POST', url, headers: KEY, payload: ITEMS })).json()).toEqual(created.json());

    const deleteUrl =
      api === 'conversations' ? `${url}/${second.id}` : `/v1/threads/${conversation.id}/messages/${second.id}`;
    expect((await t.app.inject({ method: 'DELETE', url: deleteUrl })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `${url}/${first.id}` })).statusCode).toBe(200);

    const notFound = { message: `Item with id '${second.id}' not found.`, param: null, code: null };
    expectError(await t.app.inject({ method: 'POST', url, headers: KEY, payload: ITEMS }), 404, notFound);
    expect(await recordsHold(t, 'second-item-content')).toBe(false);
    expect(await recordsHold(t, 'first, kept')).toBe(false);

    const restarted = await open(t);
    expectError(await restarted.app.inject({ method: 'POST', url, headers: KEY, payload: ITEMS }), 404, notFound);
    expect(await restarted.app.store.purgeExpiredIdempotencyKeys()).toBe(0);
    expect(await recordsHold(restarted, 'second-item-content')).toBe(false);
    // Past the window the record goes, with what it names.
    await executeOnDatabase(restarted.engine, restarted.databaseUrl, 'UPDATE idempotency_keys SET created_at = 0');
    expect(await restarted.app.store.purgeExpiredIdempotencyKeys()).toBe(1);
    const left = await queryDatabase<{ n: number }>(
      restarted.engine,
      restarted.databaseUrl,
      'SELECT (SELECT count(*) FROM idempotency_keys) + (SELECT count(*) FROM idempotency_objects) AS n',
    );
    expect(Number(left[0]?.n)).toBe(0);
  },
);
