import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { API_PREFIXES } from '../../src/http/api-prefixes.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { incorrectKey, MISSING_KEY } from '../helpers/auth-errors.js';

/* Azure's clients send the key as `api-key: <key>`: it follows exactly the rules of `Authorization: Bearer`. */

const ALICE = 'sk-alice-0123456789abcdefWXYZ';
const ALICE_2 = 'sk-alice-second-key-000000001';
const BOB = 'sk-bob-9876543210zyxwvutsrq';

const TWO_KEYS = {
  error: {
    message:
      'You provided two different API keys, one in the Authorization header and one in the api-key header. Send one key, or the same key in both.',
    type: 'invalid_request_error',
    param: null,
    code: 'invalid_api_key',
  },
};

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const apiKey = (key: string) => ({ 'api-key': key });

let t: TestApp;
afterEach(async () => t.close());

describe('with API keys', () => {
  beforeEach(async () => {
    t = await buildTestApp({ API_KEYS: `acme:${ALICE},acme:${ALICE_2},globex:${BOB}` });
  });

  test('api-key alone is the key on every prefix, and sees the threads of its tenant whichever header made them', async () => {
    const made = await t.app.inject({
      method: 'POST',
      url: '/v1/threads',
      headers: bearer(ALICE),
      payload: { metadata: { by: 'bearer' } },
    });
    const thread = made.json();
    for (const prefix of API_PREFIXES) {
      const res = await t.app.inject({
        method: 'GET',
        url: `${prefix}/threads/${thread.id}`,
        headers: apiKey(ALICE_2),
      });
      expect(res.statusCode, prefix).toBe(200);
      expect(res.json()).toEqual(thread);
      const created = await t.app.inject({
        method: 'POST',
        url: `${prefix}/threads`,
        headers: apiKey(ALICE),
        payload: {},
      });
      expect(created.statusCode, prefix).toBe(200);
      const back = await t.app.inject({
        method: 'GET',
        url: `/v1/threads/${created.json().id}`,
        headers: bearer(ALICE_2),
      });
      expect(back.json()).toEqual(created.json());
    }
  });

  test('another tenant through api-key gets the 404 of a missing thread', async () => {
    const thread = (
      await t.app.inject({ method: 'POST', url: '/openai/threads', headers: apiKey(ALICE), payload: {} })
    ).json();
    const res = await t.app.inject({
      method: 'GET',
      url: `/openai/threads/${thread.id}/messages`,
      headers: apiKey(BOB),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe(`No thread found with id '${thread.id}'.`);
  });

  test('/openai needs a key exactly as /v1 does', async () => {
    for (const [method, url] of [
      ['POST', '/openai/threads'],
      ['GET', '/openai/threads/thread_abc?api-version=2024-05-01-preview'],
      ['DELETE', '/openai/threads/thread_abc/messages/msg_abc'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json()).toEqual(MISSING_KEY);
    }
  });

  test('a wrong api-key is the same 401 invalid_api_key, masked the same way, never whole', async () => {
    for (const [wrong, masked] of [
      ['sk-abc12345678901234wxyz', 'sk-abc12************wxyz'],
      ['twelve-chars', '************'],
      [`${ALICE.slice(0, -1)}Q`, `${ALICE.slice(0, 8)}${'*'.repeat(ALICE.length - 12)}${ALICE.slice(-4, -1)}Q`],
    ]) {
      const viaApiKey = await t.app.inject({
        method: 'GET',
        url: '/openai/threads/thread_abc',
        headers: apiKey(wrong!),
      });
      const viaBearer = await t.app.inject({
        method: 'GET',
        url: '/openai/threads/thread_abc',
        headers: bearer(wrong!),
      });
      expect(viaApiKey.statusCode).toBe(401);
      expect(viaApiKey.json()).toEqual(incorrectKey(masked!));
      expect(viaApiKey.json()).toEqual(viaBearer.json());
      expect(viaApiKey.body).not.toContain(wrong);
    }
  });

  test('an empty api-key, or one with spaces inside, is a missing key, like an empty or split bearer', async () => {
    for (const value of ['', '   ', `${ALICE} ${ALICE}`]) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/threads/thread_abc', headers: apiKey(value) });
      expect(res.statusCode, JSON.stringify(value)).toBe(401);
      expect(res.json()).toEqual(MISSING_KEY);
    }
  });

  test('the same key in both headers works', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/openai/threads',
      headers: { ...bearer(ALICE), ...apiKey(ALICE) },
      payload: {},
    });
    expect(res.statusCode).toBe(200);
  });

  test('two different keys are a clear 401, even when both are valid, or one is', async () => {
    for (const [inBearer, inApiKey] of [
      [ALICE, BOB],
      [ALICE, ALICE_2],
      [ALICE, 'sk-not-a-key-at-all-000000'],
      ['sk-not-a-key-at-all-000000', ALICE],
    ]) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/threads/thread_abc',
        headers: { ...bearer(inBearer!), ...apiKey(inApiKey!) },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(TWO_KEYS);
      expect(res.body).not.toContain(inBearer);
      expect(res.body).not.toContain(inApiKey);
    }
  });

  test('an Authorization of another scheme counts as absent: the api-key decides', async () => {
    const headers = { authorization: `Basic ${Buffer.from('proxy:secret').toString('base64')}`, ...apiKey(ALICE) };
    const res = await t.app.inject({ method: 'POST', url: '/openai/threads', headers, payload: {} });
    expect(res.statusCode).toBe(200);
  });

  test('health needs no key, under api-key clients too', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health?api-version=2024-05-01-preview' });
    expect(res.statusCode).toBe(200);
  });
});

test('the rate limit counts one key through both headers and every prefix together', async () => {
  t = await buildTestApp({ API_KEYS: `${ALICE},${BOB}`, RATE_LIMIT_PER_MINUTE: '3' });
  const statuses = [];
  for (const [url, headers] of [
    ['/v1/threads', bearer(ALICE)],
    ['/openai/threads', apiKey(ALICE)],
    ['/threads', { ...bearer(ALICE), ...apiKey(ALICE) }],
    ['/openai/threads', apiKey(ALICE)],
  ] as const) {
    const res = await t.app.inject({ method: 'POST', url, headers, payload: {} });
    statuses.push([res.statusCode, res.headers['x-ratelimit-remaining-requests']]);
  }
  expect(statuses).toEqual([
    [200, '2'],
    [200, '1'],
    [200, '0'],
    [429, '0'],
  ]);
  const other = await t.app.inject({ method: 'POST', url: '/openai/threads', headers: apiKey(BOB), payload: {} });
  expect(other.statusCode).toBe(200);
});

test('without API keys the server is open whatever api-key says, two different keys included', async () => {
  t = await buildTestApp();
  const created = await t.app.inject({
    method: 'POST',
    url: '/openai/threads',
    headers: { ...bearer('a'), ...apiKey('b') },
    payload: {},
  });
  expect(created.statusCode).toBe(200);
  const read = await t.app.inject({ method: 'GET', url: `/v1/threads/${created.json().id}`, headers: apiKey('c') });
  expect(read.statusCode).toBe(200);
});
