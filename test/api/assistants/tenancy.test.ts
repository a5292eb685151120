import { afterEach, beforeEach, expect, test } from 'vitest';
import { expectError } from '../../helpers/api.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

const ALICE = 'sk-alice-0123456789abcdefWXYZ';
const ALICE_2 = 'sk-alice-second-key-000000001';
const BOB = 'sk-bob-9876543210zyxwvutsrq';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({ API_KEYS: `acme:${ALICE},acme:${ALICE_2},globex:${BOB}` });
});
afterEach(async () => t.close());

const as = (key: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });

test("another tenant's assistant is a 404 on every route and absent from its lists and cursors", async () => {
  const created = await as(ALICE, 'POST', '/v1/assistants', { model: 'm', name: 'secret' });
  expect(created.statusCode).toBe(200);
  const assistant = created.json();
  const notFound = { message: `No assistant found with id '${assistant.id}'.`, param: null, code: null };

  expectError(await as(BOB, 'GET', `/v1/assistants/${assistant.id}`), 404, notFound);
  expectError(await as(BOB, 'POST', `/v1/assistants/${assistant.id}`, { name: 'stolen' }), 404, notFound);
  expectError(await as(BOB, 'DELETE', `/v1/assistants/${assistant.id}`), 404, notFound);
  expect((await as(BOB, 'GET', '/v1/assistants')).json().data).toEqual([]);
  for (const param of ['after', 'before'] as const) {
    expectError(await as(BOB, 'GET', `/v1/assistants?${param}=${assistant.id}`), 400, {
      message: `Invalid '${param}': no assistant with id '${assistant.id}'.`,
      param,
      code: 'invalid_value',
    });
  }

  // The owner's other key sees it whole and unchanged.
  expect((await as(ALICE_2, 'GET', `/v1/assistants/${assistant.id}`)).json()).toEqual(assistant);
  expect((await as(ALICE_2, 'GET', '/v1/assistants')).json().data).toEqual([assistant]);
  expect((await as(ALICE_2, 'DELETE', `/v1/assistants/${assistant.id}`)).json().deleted).toBe(true);
});

test("an Idempotency-Key is the tenant's own: the same key in another tenant creates its own assistant", async () => {
  const headers = (key: string) => ({ authorization: `Bearer ${key}`, 'idempotency-key': 'same' });
  const payload = { model: 'm' };
  const alice = await t.app.inject({ method: 'POST', url: '/v1/assistants', headers: headers(ALICE), payload });
  const bob = await t.app.inject({ method: 'POST', url: '/v1/assistants', headers: headers(BOB), payload });
  expect(bob.statusCode).toBe(200);
  expect(bob.json().id).not.toBe(alice.json().id);
  expect((await as(BOB, 'GET', '/v1/assistants')).json().data.map((a: { id: string }) => a.id)).toEqual([
    bob.json().id,
  ]);
});
