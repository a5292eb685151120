import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { incorrectKey, MISSING_KEY } from '../helpers/auth-errors.js';

const ALICE = 'sk-alice-0123456789abcdefWXYZ';
const ALICE_2 = 'sk-alice-second-key-000000001';
const BOB = 'sk-bob-9876543210zyxwvutsrq';
const SOLO = 'sk-solo-key-aaaaaaaaaaaaaaaa';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp({ API_KEYS: `acme:${ALICE}, acme:${ALICE_2},globex:${BOB},${SOLO}` });
});
afterEach(async () => t.close());

const as = (key: string) => ({ authorization: `Bearer ${key}` });

async function createThread(key: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/threads',
    headers: as(key),
    payload: {
      messages: [{ role: 'user', content: `secret of ${key.slice(0, 8)}` }],
      metadata: { owner: key.slice(0, 8) },
    },
  });
  expect(res.statusCode).toBe(200);
  const thread = res.json();
  const list = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}/messages`, headers: as(key) });
  return { thread, message: list.json().data[0] };
}

describe('API keys', () => {
  test('no Authorization header: 401 asking for a key, on every API route and prefix', async () => {
    for (const [method, url] of [
      ['POST', '/v1/threads'],
      ['GET', '/threads/thread_abc'],
      ['DELETE', '/v1/threads/thread_abc/messages/msg_abc'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toEqual(MISSING_KEY);
    }
  });

  test('a scheme other than Bearer, or an empty bearer, is a missing key', async () => {
    for (const authorization of [
      `Basic ${Buffer.from(`u:${ALICE}`).toString('base64')}`,
      'Bearer',
      'Bearer   ',
      ALICE,
    ]) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/threads/thread_abc', headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json()).toEqual(MISSING_KEY);
    }
  });

  test('a wrong key: 401 invalid_api_key with the key masked, never whole', async () => {
    const wrong = 'sk-abc12345678901234wxyz';
    const res = await t.app.inject({ method: 'GET', url: '/v1/threads/thread_abc', headers: as(wrong) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual(incorrectKey('sk-abc12************wxyz'));
    expect(res.body).not.toContain(wrong);
  });

  test('a wrong key of 12 characters or fewer is all stars', async () => {
    for (const wrong of ['short', 'twelve-chars']) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/threads/thread_abc', headers: as(wrong) });
      expect(res.json()).toEqual(incorrectKey('*'.repeat(wrong.length)));
    }
  });

  test('a key that differs from a real one only in its last character is refused', async () => {
    const near = `${ALICE.slice(0, -1)}Q`;
    const res = await t.app.inject({ method: 'GET', url: '/v1/threads/thread_abc', headers: as(near) });
    expect(res.json()).toEqual(incorrectKey(`${near.slice(0, 8)}${'*'.repeat(near.length - 12)}${near.slice(-4)}`));
  });

  test('the Bearer scheme is case-insensitive', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/threads', headers: { authorization: `bearer ${SOLO}` } });
    expect(res.statusCode).toBe(200);
  });

  test('health needs no key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
  });

  test('order: unknown route 404 before 401, 401 before OpenAI-Beta and body faults', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe('Invalid URL (GET /v1/nope)');

    const beta = await t.app.inject({
      method: 'POST',
      url: '/v1/threads',
      headers: { 'openai-beta': 'assistants=v1', 'content-type': 'text/plain' },
      payload: 'not json',
    });
    expect(beta.json()).toEqual(MISSING_KEY);

    const withKey = await t.app.inject({
      method: 'POST',
      url: '/v1/threads',
      headers: { ...as(ALICE), 'openai-beta': 'assistants=v1', 'content-type': 'text/plain' },
      payload: 'not json',
    });
    expect(withKey.statusCode).toBe(400);
    expect(withKey.json().error.code).toBe('invalid_beta');
  });
});

describe('tenants', () => {
  test('keys of one named tenant share its threads', async () => {
    const { thread } = await createThread(ALICE);
    const res = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}`, headers: as(ALICE_2) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(thread);
  });

  // Every operation, from every other tenant (a named one and a key of its own), answers exactly like a missing object.
  for (const intruder of [BOB, SOLO]) {
    test(`another tenant's thread and message are the same 404 as missing ones, for all 9 operations (${intruder.slice(0, 6)})`, async () => {
      const { thread, message } = await createThread(ALICE);
      const missingThread = 'thread_000000000000000000000000';
      const missingMessage = 'msg_000000000000000000000000';
      const operations = (threadId: string, messageId: string) =>
        [
          { method: 'GET', url: `/v1/threads/${threadId}` },
          { method: 'POST', url: `/v1/threads/${threadId}`, payload: { metadata: { hacked: 'yes' } } },
          { method: 'DELETE', url: `/v1/threads/${threadId}` },
          { method: 'POST', url: `/v1/threads/${threadId}/messages`, payload: { role: 'user', content: 'intruder' } },
          { method: 'GET', url: `/v1/threads/${threadId}/messages` },
          { method: 'GET', url: `/v1/threads/${threadId}/messages/${messageId}` },
          {
            method: 'POST',
            url: `/v1/threads/${threadId}/messages/${messageId}`,
            payload: { metadata: { hacked: 'yes' } },
          },
          { method: 'DELETE', url: `/v1/threads/${threadId}/messages/${messageId}` },
        ] as const;
      // The ninth, create thread, cannot name another tenant's object: it must not show up for the owner.
      const created = await t.app.inject({ method: 'POST', url: '/v1/threads', headers: as(intruder), payload: {} });
      expect(created.statusCode).toBe(200);

      const theirs = operations(thread.id, message.id);
      const absent = operations(missingThread, missingMessage);
      for (let i = 0; i < theirs.length; i++) {
        const intruding = await t.app.inject({ ...theirs[i]!, headers: as(intruder) });
        const missing = await t.app.inject({ ...absent[i]!, headers: as(intruder) });
        expect(intruding.statusCode, theirs[i]!.url).toBe(404);
        expect(intruding.json()).toEqual(
          JSON.parse(missing.body.replaceAll(missingThread, thread.id).replaceAll(missingMessage, message.id)),
        );
      }
      // A message id of Alice's, inside the intruder's own thread, is a missing message too.
      const ownThread = created.json().id;
      const crossed = await t.app.inject({
        method: 'GET',
        url: `/v1/threads/${ownThread}/messages/${message.id}`,
        headers: as(intruder),
      });
      expect(crossed.statusCode).toBe(404);
      expect(crossed.json().error.message).toBe(`No message found with id '${message.id}'.`);
      // A cursor from Alice's thread names no message of the intruder's.
      const cursor = await t.app.inject({
        method: 'GET',
        url: `/v1/threads/${ownThread}/messages?after=${message.id}`,
        headers: as(intruder),
      });
      expect(cursor.statusCode).toBe(400);

      // Nothing of Alice's changed, and the intruder's thread is invisible to her.
      const after = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}`, headers: as(ALICE) });
      expect(after.json()).toEqual(thread);
      const list = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}/messages`, headers: as(ALICE) });
      expect(list.json().data).toEqual([message]);
      const foreign = await t.app.inject({ method: 'GET', url: `/v1/threads/${ownThread}`, headers: as(ALICE) });
      expect(foreign.statusCode).toBe(404);
    });
  }
});

describe('without keys', () => {
  test('the server is open and every caller is one tenant, whatever key it sends', async () => {
    const open = await buildTestApp();
    try {
      const created = await open.app.inject({
        method: 'POST',
        url: '/v1/threads',
        headers: as('anything'),
        payload: {},
      });
      expect(created.statusCode).toBe(200);
      const read = await open.app.inject({
        method: 'GET',
        url: `/v1/threads/${created.json().id}`,
        headers: as('other'),
      });
      expect(read.statusCode).toBe(200);
      const bare = await open.app.inject({ method: 'GET', url: `/v1/threads/${created.json().id}` });
      expect(bare.statusCode).toBe(200);
    } finally {
      await open.close();
    }
  });
});
