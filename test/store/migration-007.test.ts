import { afterEach, expect, test } from 'vitest';
import { expectError } from '../helpers/api.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { executeOnDatabase } from '../helpers/sql.js';

/*
 * Migration 007 names every item of the Idempotency-Key records already made (issue 19, finding 4): a
 * two-item create recorded before the upgrade ends its replay when its second item is deleted after it.
 * (SQLite's later migrations create only what is missing, so they run again harmlessly after the rollback.)
 */

const opened: TestApp[] = [];
afterEach(async () => {
  for (const t of opened.splice(0).reverse()) await t.close();
});

const KEY = { 'idempotency-key': 'recorded-before-007' };
const ITEMS = {
  items: [
    { type: 'message', role: 'user', content: 'first' },
    { type: 'message', role: 'assistant', content: 'second' },
  ],
};

/** Takes the database back to before migration 007: the table it adds is gone, and so is its number. */
const BEFORE_007 = {
  sqlite: 'DROP TABLE idempotency_objects; PRAGMA user_version = 6;',
  postgres: 'DROP TABLE idempotency_objects; DELETE FROM schema_migrations WHERE version = 7;',
};

test('records made before migration 007 name every item they answer with', async () => {
  const before = await buildTestApp();
  opened.push(before);
  const conversation = (await before.app.inject({ method: 'POST', url: '/v1/conversations', payload: {} })).json();
  const url = `/v1/conversations/${conversation.id}/items`;
  const [, second] = (await before.app.inject({ method: 'POST', url, headers: KEY, payload: ITEMS })).json().data;
  await before.app.close();
  await executeOnDatabase(before.engine, before.databaseUrl, BEFORE_007[before.engine]);

  const after = await buildTestApp({}, { reopen: before });
  opened.push(after);
  expect((await after.app.inject({ method: 'DELETE', url: `${url}/${second.id}` })).statusCode).toBe(200);
  expectError(await after.app.inject({ method: 'POST', url, headers: KEY, payload: ITEMS }), 404, {
    message: `Item with id '${second.id}' not found.`,
    param: null,
    code: null,
  });
});
