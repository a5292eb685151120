import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ThreadObject } from '../../../src/schemas/threads.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

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

  test('a pair given twice filters once; one key with two values, or more than 16 pairs, is a 400', async () => {
    const carol = await createThread({ user: 'carol' });
    await createThread({ user: 'dave' });
    expect(
      (await list('metadata[user]=carol&metadata[user]=carol')).body.data.map((thread: { id: string }) => thread.id),
    ).toEqual([carol]);
    expect(await list('metadata[user]=carol&metadata[user]=dave')).toEqual({
      status: 400,
      body: {
        error: {
          message:
            "Invalid 'metadata[user]': given more than once with different values; a thread holds one value per key.",
          type: 'invalid_request_error',
          param: 'metadata[user]',
          code: 'invalid_value',
        },
      },
    });
    const pairs = (n: number) => Array.from({ length: n }, (_, i) => `metadata[k${i}]=v`).join('&');
    expect((await list(pairs(16))).status).toBe(200);
    expect(await list(pairs(17))).toEqual({
      status: 400,
      body: {
        error: {
          message:
            "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead.",
          type: 'invalid_request_error',
          param: 'metadata',
          code: 'object_above_max_properties',
        },
      },
    });
  });

  test('the filter follows metadata as it is modified, and forgets deleted threads', async () => {
    const a = await createThread({ team: 'red' });
    const b = await createThread({ team: 'blue' });
    const modify = (id: string, metadata: unknown) =>
      t.app.inject({ method: 'POST', url: `/v1/threads/${id}`, payload: { metadata } });
    const ids = async (query: string) =>
      (await list(`order=asc&${query}`)).body.data.map((thread: { id: string }) => thread.id);
    await modify(a, { team: 'blue', size: 'big' });
    expect(await ids('metadata[team]=red')).toEqual([]);
    expect(await ids('metadata[team]=blue')).toEqual([a, b]);
    await t.app.inject({ method: 'POST', url: `/v1/threads/${b}`, payload: { tool_resources: {} } });
    expect(await ids('metadata[team]=blue')).toEqual([a, b]);
    await modify(a, null);
    expect(await ids('metadata[size]=big')).toEqual([]);
    await t.app.inject({ method: 'DELETE', url: `/v1/threads/${b}` });
    expect(await ids('metadata[team]=blue')).toEqual([]);
  });

  test('pages of pairs common apart and rare together visit every match once, both orders', async () => {
    // 1,100 threads: x on the first 500 and the last 100, y from the 400th on; both on 200 of them.
    for (let start = 0; start < 1100; start += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => {
          const i = start + j;
          const metadata = { ...(i < 500 || i >= 1000 ? { x: '1' } : {}), ...(i >= 400 ? { y: '1' } : {}) };
          return t.app.store.threads.create('', { metadata, tool_resources: {}, items: [] });
        }),
      );
    }
    // Concurrent creates take their places in commit order: the unfiltered list says which that was.
    const all: ThreadObject[] = [];
    for (let after: string | undefined; ; after = all.at(-1)!.id) {
      const page = await t.app.store.threads.list('', { limit: 100, order: 'asc', after });
      all.push(...page.data);
      if (!page.has_more) break;
    }
    const expected = all.filter(({ metadata }) => metadata.x && metadata.y).map(({ id }) => id);
    expect(expected).toHaveLength(200);
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let after = '';
      for (;;) {
        const page = await list(`limit=100&order=${order}&metadata[x]=1&metadata[y]=1${after && `&after=${after}`}`);
        seen.push(...page.body.data.map((thread: { id: string }) => thread.id));
        if (!page.body.has_more) break;
        after = page.body.last_id;
      }
      expect(seen).toEqual(order === 'asc' ? expected : [...expected].reverse());
    }
    const before = await list(`limit=3&order=asc&metadata[x]=1&metadata[y]=1&before=${expected[150]}`);
    expect(before.body.data.map((thread: { id: string }) => thread.id)).toEqual(expected.slice(147, 150));
    expect(before.body.has_more).toBe(true);
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
      const acme = await keyed.app.inject({
        method: 'POST',
        url: '/v1/threads',
        headers: as('sk-acme-0000000000000'),
        payload: {},
      });
      const globex = await keyed.app.inject({
        method: 'POST',
        url: '/v1/threads',
        headers: as('sk-globex-000000000000'),
        payload: {},
      });
      expect(globex.json().id).not.toBe(acme.json().id);
      const listAs = async (key: string) =>
        (
          await keyed.app.inject({ method: 'GET', url: '/v1/threads', headers: { authorization: `Bearer ${key}` } })
        ).json();
      expect((await listAs('sk-acme-0000000000000')).data.map((thread: { id: string }) => thread.id)).toEqual([
        acme.json().id,
      ]);
      expect((await listAs('sk-globex-000000000000')).data.map((thread: { id: string }) => thread.id)).toEqual([
        globex.json().id,
      ]);
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
