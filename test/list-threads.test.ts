import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

async function createThread(metadata: Record<string, string> = {}): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/threads', payload: { metadata } });
  expect(res.statusCode).toBe(200);
  return res.json().id;
}

async function list(query: string) {
  const res = await t.app.inject({ method: 'GET', url: `/v1/threads?${query}` });
  return { status: res.statusCode, body: res.json() };
}

describe('GET /v1/threads', () => {
  test('lists threads newest first by default, and oldest first with order=asc', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createThread({ n: String(i) }));
    const desc = await list('');
    expect(desc.status).toBe(200);
    expect(desc.body.object).toBe('list');
    expect(desc.body.data.map((thread: { id: string }) => thread.id)).toEqual([...ids].reverse());
    expect(desc.body.first_id).toBe(ids[4]);
    expect(desc.body.last_id).toBe(ids[0]);
    expect(desc.body.has_more).toBe(false);
    const asc = await list('order=asc');
    expect(asc.body.data.map((thread: { id: string }) => thread.id)).toEqual(ids);
  });

  test('pages with after and before, both orders, visiting each thread once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await createThread());
    for (const order of ['asc', 'desc'] as const) {
      const expected = order === 'asc' ? ids : [...ids].reverse();
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await list(`limit=3&order=${order}${after ? `&after=${after}` : ''}`);
        seen.push(...page.body.data.map((thread: { id: string }) => thread.id));
        if (!page.body.has_more) break;
        after = page.body.last_id;
      }
      expect(seen).toEqual(expected);
    }
    const before = await list(`limit=2&order=asc&before=${ids[4]}`);
    expect(before.body.data.map((thread: { id: string }) => thread.id)).toEqual([ids[2], ids[3]]);
    expect(before.body.has_more).toBe(true);
  });

  test('a deleted thread still works as a cursor; an unknown one is a 400', async () => {
    const ids = [await createThread(), await createThread(), await createThread()];
    await t.app.inject({ method: 'DELETE', url: `/v1/threads/${ids[1]}` });
    const page = await list(`order=asc&after=${ids[1]}`);
    expect(page.body.data.map((thread: { id: string }) => thread.id)).toEqual([ids[2]]);
    const unknown = await list('after=thread_nope');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({
      error: {
        message: "Invalid 'after': no thread with id 'thread_nope'.",
        type: 'invalid_request_error',
        param: 'after',
        code: 'invalid_value',
      },
    });
  });

  test('filters by metadata[key]=value, every pair required', async () => {
    const a = await createThread({ team: 'red', size: 'big' });
    await createThread({ team: 'blue', size: 'big' });
    const c = await createThread({ team: 'red' });
    const red = await list('metadata[team]=red&order=asc');
    expect(red.body.data.map((thread: { id: string }) => thread.id)).toEqual([a, c]);
    const redBig = await list(`metadata%5Bteam%5D=red&metadata%5Bsize%5D=big`);
    expect(redBig.body.data.map((thread: { id: string }) => thread.id)).toEqual([a]);
    const none = await list('metadata[team]=green');
    expect(none.body).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
  });

  test('validates limit and order like the message list', async () => {
    expect((await list('limit=0')).body.error.code).toBe('integer_below_min_value');
    expect((await list('order=up')).body.error).toEqual({
      message: "Invalid value: 'up'. Supported values are: 'asc' and 'desc'.",
      type: 'invalid_request_error',
      param: 'order',
      code: 'invalid_value',
    });
  });

  test('answers at the root path too', async () => {
    const id = await createThread();
    const res = await t.app.inject({ method: 'GET', url: '/threads' });
    expect(res.json().data.map((thread: { id: string }) => thread.id)).toEqual([id]);
  });
});

describe('tenants', () => {
  test('each tenant lists only its own threads, and Idempotency-Keys are per tenant', async () => {
    const keyed = await buildTestApp({ API_KEYS: 'acme:sk-acme-0000000000000,globex:sk-globex-000000000000' });
    try {
      const as = (key: string) => ({ authorization: `Bearer ${key}`, 'idempotency-key': 'shared-key' });
      const acme = await keyed.app.inject({ method: 'POST', url: '/v1/threads', headers: as('sk-acme-0000000000000'), payload: {} });
      const globex = await keyed.app.inject({ method: 'POST', url: '/v1/threads', headers: as('sk-globex-000000000000'), payload: {} });
      expect(globex.json().id).not.toBe(acme.json().id);
      const listAs = async (key: string) =>
        (await keyed.app.inject({ method: 'GET', url: '/v1/threads', headers: { authorization: `Bearer ${key}` } })).json();
      expect((await listAs('sk-acme-0000000000000')).data.map((thread: { id: string }) => thread.id)).toEqual([acme.json().id]);
      expect((await listAs('sk-globex-000000000000')).data.map((thread: { id: string }) => thread.id)).toEqual([globex.json().id]);
      const foreignCursor = await keyed.app.inject({
        method: 'GET',
        url: `/v1/threads?after=${globex.json().id}`,
        headers: { authorization: 'Bearer sk-acme-0000000000000' },
      });
      expect(foreignCursor.statusCode).toBe(400);
    } finally {
      await keyed.close();
    }
  });
});
