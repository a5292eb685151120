import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { App } from '../src/app.js';
import { copyThreads } from '../src/transfer/copy.js';
import { exportThreads } from '../src/transfer/export.js';
import { importThreads } from '../src/transfer/import.js';
import { buildTestApp, type TestApp } from './helpers/app.js';

let source: TestApp;
let target: TestApp;
beforeEach(async () => {
  source = await buildTestApp();
  target = await buildTestApp();
});
afterEach(async () => {
  await source.close();
  await target.close();
});

/** A few threads with varied content, one message deleted, so the round trip has something to lose. */
async function seed(app: App): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const thread = await app.inject({
      method: 'POST',
      url: '/v1/threads',
      payload: {
        metadata: { n: String(i) },
        tool_resources: { code_interpreter: { file_ids: [`file_${i}`] } },
        messages: [
          { role: 'user', content: `hello ${i} \u0000 \ud83d\ude00` },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'see' },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
            ],
            attachments: [{ file_id: 'file_x', tools: [{ type: 'file_search' }] }],
            metadata: { k: 'v' },
          },
        ],
      },
    });
    const id = thread.json().id;
    ids.push(id);
    for (let m = 0; m < 101; m++) {
      await app.inject({
        method: 'POST',
        url: `/v1/threads/${id}/messages`,
        payload: { role: 'user', content: `m${m}` },
      });
    }
  }
  const page = await app.inject({ method: 'GET', url: `/v1/threads/${ids[1]}/messages?limit=1` });
  await app.inject({ method: 'DELETE', url: `/v1/threads/${ids[1]}/messages/${page.json().data[0].id}` });
  return ids;
}

/** Everything the API shows of these threads: the threads and all their messages, in order. */
async function snapshot(app: App, ids: string[]) {
  const result = [];
  for (const id of ids) {
    const thread = (await app.inject({ method: 'GET', url: `/v1/threads/${id}` })).json();
    const messages = [];
    let after = '';
    for (;;) {
      const page = (
        await app.inject({ method: 'GET', url: `/v1/threads/${id}/messages?order=asc&limit=100${after}` })
      ).json();
      messages.push(...page.data);
      if (!page.has_more) break;
      after = `&after=${page.last_id}`;
    }
    result.push({ thread, messages });
  }
  return result;
}

async function exportToText(app: App, tenant?: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await exportThreads(app.store, out, { tenant });
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('export and import', () => {
  test('round trip into an empty database keeps every object equal', async () => {
    const ids = await seed(source.app);
    const text = await exportToText(source.app);
    expect(text.trim().split('\n')).toHaveLength(3);
    const result = await importThreads(target.app.store, Readable.from([text]));
    expect(result).toEqual({
      created: 3,
      skipped: 0,
      messages: 3 * 103 - 1,
      assistants: 0,
      skippedAssistants: 0,
      errors: [],
    });
    expect(await snapshot(target.app, ids)).toEqual(await snapshot(source.app, ids));
    expect(await exportToText(target.app)).toBe(text);
    expect(await target.app.store.stats()).toEqual({ threads: 3, messages: 3 * 103 - 1, assistants: 0 });
  });

  test('items only the conversation view shows survive export, import and copy, equal and in place', async () => {
    const conversation = (
      await source.app.inject({
        method: 'POST',
        url: '/v1/conversations',
        payload: {
          metadata: { kind: 'agent' },
          items: [
            { role: 'system', content: 'Be brief.' },
            {
              role: 'user',
              content: [
                { type: 'input_text', text: 'hi' },
                { type: 'input_file', file_id: 'file_1' },
              ],
            },
            { type: 'reasoning', summary: [{ type: 'summary_text', text: 'thinking' }] },
            { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
            { type: 'function_call_output', call_id: 'c1', output: 'ok' },
          ],
        },
      })
    ).json();
    await source.app.inject({
      method: 'POST',
      url: `/v1/threads/${conversation.id}/messages`,
      payload: { role: 'assistant', content: 'done' },
    });
    const items = async (app: App) =>
      (await app.inject({ method: 'GET', url: `/v1/conversations/${conversation.id}/items?order=asc` })).json();
    const text = await exportToText(source.app);
    expect(await importThreads(target.app.store, Readable.from([text]))).toMatchObject({
      created: 1,
      messages: 6,
      errors: [],
    });
    expect(await items(target.app)).toEqual(await items(source.app));
    expect(await snapshot(target.app, [conversation.id])).toEqual(await snapshot(source.app, [conversation.id]));
    expect(await exportToText(target.app)).toBe(text);

    const copied = await buildTestApp();
    try {
      expect(await copyThreads(source.app.store, copied.app.store)).toMatchObject({
        threads: 1,
        messages: 6,
        skipped: 0,
      });
      expect(await items(copied.app)).toEqual(await items(source.app));
    } finally {
      await copied.close();
    }
  });

  test('importing the same file twice changes nothing', async () => {
    const ids = await seed(source.app);
    const text = await exportToText(source.app);
    await importThreads(target.app.store, Readable.from([text]));
    const before = await snapshot(target.app, ids);
    const again = await importThreads(target.app.store, Readable.from([text]));
    expect(again).toEqual({ created: 0, skipped: 3, messages: 0, assistants: 0, skippedAssistants: 0, errors: [] });
    expect(await snapshot(target.app, ids)).toEqual(before);
  });

  test('a malformed line is reported with its number and nothing of its thread is written', async () => {
    const ids = await seed(source.app);
    const lines = (await exportToText(source.app)).trim().split('\n');
    const broken = JSON.parse(lines[1]!);
    broken.messages[5].role = 'system';
    const text = [lines[0], JSON.stringify(broken), '{not json', lines[2]].join('\n');
    const result = await importThreads(target.app.store, Readable.from([text]));
    expect(result.created).toBe(2);
    expect(result.errors).toEqual([
      { line: 2, error: "messages[5].role: Invalid value: 'system'. Supported values are: 'user' and 'assistant'." },
      { line: 3, error: 'not valid JSON' },
    ]);
    const missing = await target.app.inject({ method: 'GET', url: `/v1/threads/${ids[1]}` });
    expect(missing.statusCode).toBe(404);
  });

  test('a thread whose message id is already taken is rolled back whole', async () => {
    await seed(source.app);
    const lines = (await exportToText(source.app)).trim().split('\n');
    const copy = JSON.parse(lines[0]!);
    copy.id = 'thread_copyOfTheFirstThread0000';
    for (const message of copy.messages) message.thread_id = copy.id;
    const text = [lines[0], JSON.stringify(copy)].join('\n');
    const result = await importThreads(target.app.store, Readable.from([text]));
    expect(result.created).toBe(1);
    expect(result.errors.map((e) => e.line)).toEqual([2]);
    expect((await target.app.inject({ method: 'GET', url: `/v1/threads/${copy.id}` })).statusCode).toBe(404);
  });

  test('copy moves every thread from one database to another', async () => {
    const ids = await seed(source.app);
    const result = await copyThreads(source.app.store, target.app.store);
    expect(result).toEqual({ threads: 3, messages: 3 * 103 - 1, assistants: 0, skipped: 0, skippedAssistants: 0 });
    expect(await snapshot(target.app, ids)).toEqual(await snapshot(source.app, ids));
  });
});

describe('a thread or message restored after its delete', () => {
  const remove = (url: string) => source.app.inject({ method: 'DELETE', url });

  test('a thread imported again after it was deleted can be deleted again', async () => {
    const [id] = await seed(source.app);
    const text = await exportToText(source.app);
    expect((await remove(`/v1/threads/${id}`)).statusCode).toBe(200);
    expect((await importThreads(source.app.store, Readable.from([text]))).created).toBe(1);

    const again = await remove(`/v1/threads/${id}`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ id, object: 'thread.deleted', deleted: true });
    expect((await source.app.inject({ method: 'GET', url: `/v1/threads/${id}` })).statusCode).toBe(404);
    const list = await source.app.inject({ method: 'GET', url: `/v1/threads?after=${id}` });
    expect(list.statusCode).toBe(200);
  });

  test('a deleted message imported again, in another thread, can be deleted again', async () => {
    await seed(source.app);
    const line = JSON.parse((await exportToText(source.app)).trim().split('\n')[0]!);
    const messageId = line.messages[0].id as string;
    expect((await remove(`/v1/threads/${line.id}/messages/${messageId}`)).statusCode).toBe(200);
    line.id = 'thread_restoredElsewhere000000';
    line.messages = [{ ...line.messages[0], thread_id: line.id }];
    expect((await importThreads(source.app.store, Readable.from([JSON.stringify(line)]))).created).toBe(1);

    const again = await remove(`/v1/threads/${line.id}/messages/${messageId}`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ id: messageId, object: 'thread.message.deleted', deleted: true });
  });
});
