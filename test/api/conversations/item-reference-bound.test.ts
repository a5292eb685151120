import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { expectError } from '../../helpers/api.js';
import { startTestServer } from '../../helpers/app.js';

/*
 * Issue 19, finding 1: `item_reference` items are expanded into copies, so a request of 1.25 KB could write
 * and answer 40 MB. What a request writes is bounded after its references are expanded, by BODY_LIMIT.
 */

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(() => server.close());

const json = { 'content-type': 'application/json' };
async function call(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.baseURLv1}${path}`, {
    method: 'POST',
    headers: { ...json, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * Pings `/health` every 10 ms from a worker thread, whose event loop the server's cannot hold up (a probe on
 * the server's own thread misses any stall that begins while it sleeps). Posts the longest ping when told.
 */
const PROBE = `
  const { parentPort, workerData } = require('node:worker_threads');
  let longest = 0;
  let stop = false;
  parentPort.on('message', () => (stop = true));
  (async () => {
    for (let first = true; !stop; first = false) {
      const started = performance.now();
      await (await fetch(workerData + '/health')).arrayBuffer();
      if (first) parentPort.postMessage('ready');
      else longest = Math.max(longest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    parentPort.postMessage(longest);
  })();
`;

/** Runs `work` while `/health` is probed from another thread; the longest probe is held under 250 ms. */
async function whileProbing<T>(work: () => Promise<T>): Promise<T> {
  const probe = new Worker(PROBE, { eval: true, workerData: server.baseURL });
  const message = () => new Promise((resolve) => probe.once('message', resolve));
  await message();
  try {
    return await work();
  } finally {
    const longest = message();
    probe.postMessage('stop');
    const ms = (await longest) as number;
    await probe.terminate();
    console.log(`item references: longest /health ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(250);
  }
}

/** A conversation holding one message of about 2 MB (eight parts of 255,000 characters). */
async function conversationWithBigItem() {
  const conversation = (await call('/conversations', {})).json;
  const content = Array.from({ length: 8 }, (_, i) => ({ type: 'input_text', text: `${i} `.padEnd(255_000, 'x') }));
  const created = await call(`/conversations/${conversation.id}/items`, {
    items: [{ type: 'message', role: 'user', content }],
  });
  expect(created.status).toBe(200);
  return { conversationId: conversation.id as string, item: created.json.data[0] };
}

const tooLarge = (limit: number) => ({
  message: `Invalid 'items': with its item references expanded, this request would write more than ${limit} bytes of items (the request body limit).`,
  param: 'items',
  code: 'items_above_max_size',
});

async function itemCount(conversationId: string) {
  const res = await fetch(`${server.baseURLv1}/conversations/${conversationId}/items?limit=100`);
  return (await res.json()).data.length;
}

describe('item references are bounded once expanded', () => {
  test('20 references to a 2 MB item are refused whole, without stalling the server', async () => {
    const { conversationId, item } = await conversationWithBigItem();
    const body = { items: Array.from({ length: 20 }, () => ({ type: 'item_reference', id: item.id })) };
    const headers = { 'idempotency-key': 'amplified' };
    const res = await whileProbing(() =>
      server.app.inject({
        method: 'POST',
        url: `/v1/conversations/${conversationId}/items`,
        headers,
        payload: body,
      }),
    );
    expectError(res, 400, tooLarge(server.config.bodyLimit));
    // Nothing was written or recorded: the replay is refused the same way.
    expect(await itemCount(conversationId)).toBe(1);
    const replay = await call(`/conversations/${conversationId}/items`, body, headers);
    expect(replay).toEqual({
      status: 400,
      json: { error: { ...tooLarge(server.config.bodyLimit), type: 'invalid_request_error' } },
    });
  });

  test('one reference to the same item is copied whole', async () => {
    const { conversationId, item } = await conversationWithBigItem();
    const copied = await call(`/conversations/${conversationId}/items`, {
      items: [{ type: 'item_reference', id: item.id }],
    });
    expect(copied.status).toBe(200);
    expect({ ...copied.json.data[0], id: item.id }).toEqual(item);
  });

  test('inline items count towards the bound with the copies', async () => {
    const small = await startTestServer({ BODY_LIMIT: '65536' });
    try {
      const conversation = (await small.app.inject({ method: 'POST', url: '/v1/conversations', payload: {} })).json();
      const url = `/v1/conversations/${conversation.id}/items`;
      const text = (n: number) => ({ type: 'message', role: 'user', content: 'y'.repeat(n) });
      const stored = await small.app.inject({ method: 'POST', url, payload: { items: [text(40_000)] } });
      const id = stored.json().data[0].id;
      const fits = await small.app.inject({
        method: 'POST',
        url,
        payload: { items: [text(10_000), { type: 'item_reference', id }] },
      });
      expect(fits.statusCode).toBe(200);
      const over = await small.app.inject({
        method: 'POST',
        url,
        payload: { items: [text(30_000), { type: 'item_reference', id }] },
      });
      expectError(over, 400, tooLarge(65536));
      const note = (await small.app.inject({ method: 'POST', url, payload: { items: [text(1_000)] } })).json();
      const many = await small.app.inject({
        method: 'POST',
        url,
        payload: { items: Array.from({ length: 20 }, () => ({ type: 'item_reference', id: note.data[0].id })) },
      });
      expect(new Set(many.json().data.map((item: { id: string }) => item.id)).size).toBe(20);
    } finally {
      await small.close();
    }
  });
});
