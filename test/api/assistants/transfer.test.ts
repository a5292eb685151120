import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { App } from '../../../src/app.js';
import { copyThreads } from '../../../src/transfer/copy.js';
import { exportThreads } from '../../../src/transfer/export.js';
import { importThreads } from '../../../src/transfer/import.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

/** Export, import and copy carry assistants: a line of their own, before the threads'. */

const ALICE = 'sk-alice-0123456789abcdefWXYZ';
const BOB = 'sk-bob-9876543210zyxwvutsrq';
const ENV = { API_KEYS: `acme:${ALICE},globex:${BOB}` };

let source: TestApp;
let target: TestApp;
beforeEach(async () => {
  source = await buildTestApp(ENV);
  target = await buildTestApp(ENV);
});
afterEach(async () => {
  await source.close();
  await target.close();
});

const as = (app: App, key: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });

/** Two tenants' assistants, one of them deleted, one with every setting; and a thread. */
async function seed(app: App) {
  const create = async (key: string, body: object) => (await as(app, key, 'POST', '/v1/assistants', body)).json();
  const rich = await create(ALICE, {
    model: 'gpt-4o',
    name: 'Rich \u0000 \ud83d\ude00',
    instructions: 'Be brief.',
    tools: [
      { type: 'code_interpreter' },
      { type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } },
    ],
    tool_resources: { file_search: { vector_store_ids: ['vs_1'] } },
    metadata: { k: 'v' },
    temperature: 0.5,
    response_format: { type: 'json_object' },
    reasoning_effort: 'high',
  });
  const gone = await create(ALICE, { model: 'm' });
  await as(app, ALICE, 'DELETE', `/v1/assistants/${gone.id}`);
  const plain = await create(ALICE, { model: 'm', name: 'plain' });
  const bobs = await create(BOB, { model: 'm', name: "bob's" });
  await as(app, ALICE, 'POST', '/v1/threads', { messages: [{ role: 'user', content: 'hi' }] });
  return { alice: [rich, plain], bob: [bobs] };
}

/** Each tenant's assistants as the API lists them, oldest first. */
async function listed(app: App) {
  const list = async (key: string) => (await as(app, key, 'GET', '/v1/assistants?order=asc&limit=100')).json().data;
  return { alice: await list(ALICE), bob: await list(BOB) };
}

async function exportToText(app: App, tenant?: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const count = await exportThreads(app.store, out, { tenant });
  out.end();
  return `${JSON.stringify(count)}\n${Buffer.concat(chunks).toString('utf8')}`;
}

const linesOf = (text: string) => text.trim().split('\n').slice(1);

test('round trip: every assistant of every tenant, equal, in order, before the threads; the deleted one stays gone', async () => {
  const seeded = await seed(source.app);
  expect(await listed(source.app)).toEqual(seeded);
  const text = await exportToText(source.app);
  const [count, ...lines] = text.trim().split('\n');
  expect(JSON.parse(count!)).toEqual({
    threads: 1,
    messages: 1,
    assistants: 3,
    longest: { thread: expect.stringMatching(/^thread_/), bytes: expect.any(Number) },
  });
  expect(lines.map((line) => JSON.parse(line).object)).toEqual(['assistant', 'assistant', 'assistant', 'thread']);
  expect(JSON.parse(lines[0]!)).toEqual({ ...seeded.alice[0], tenant: expect.any(String) });

  const result = await importThreads(target.app.store, Readable.from([linesOf(text).join('\n')]));
  expect(result).toEqual({ created: 1, skipped: 0, messages: 1, assistants: 3, skippedAssistants: 0, errors: [] });
  expect(await listed(target.app)).toEqual(seeded);
  expect(await exportToText(target.app)).toBe(text);

  const again = await importThreads(target.app.store, Readable.from([linesOf(text).join('\n')]));
  expect(again).toMatchObject({ created: 0, skipped: 1, assistants: 0, skippedAssistants: 3, errors: [] });
  expect(await listed(target.app)).toEqual(seeded);
});

test("one tenant's export, imported into another tenant", async () => {
  const seeded = await seed(source.app);
  const aliceTenant = JSON.parse(linesOf(await exportToText(source.app))[0]!).tenant;
  const bobTenant = JSON.parse(linesOf(await exportToText(source.app))[2]!).tenant;
  const text = await exportToText(source.app, aliceTenant);
  expect(JSON.parse(text.split('\n')[0]!)).toEqual({
    threads: 1,
    messages: 1,
    assistants: 2,
    longest: { thread: expect.stringMatching(/^thread_/), bytes: expect.any(Number) },
  });
  await importThreads(target.app.store, Readable.from([linesOf(text).join('\n')]), { tenant: bobTenant });
  expect(await listed(target.app)).toEqual({ alice: [], bob: seeded.alice });
});

test('an imported assistant is live: it can be modified, deleted, and is a cursor', async () => {
  const seeded = await seed(source.app);
  await importThreads(target.app.store, Readable.from([linesOf(await exportToText(source.app)).join('\n')]));
  const [rich, plain] = seeded.alice;
  const page = await as(target.app, ALICE, 'GET', `/v1/assistants?order=asc&after=${rich.id}`);
  expect(page.json().data.map((a: { id: string }) => a.id)).toEqual([plain.id]);
  expect((await as(target.app, ALICE, 'POST', `/v1/assistants/${plain.id}`, { name: 'x' })).json().name).toBe('x');
  expect((await as(target.app, ALICE, 'DELETE', `/v1/assistants/${plain.id}`)).statusCode).toBe(200);
});

test('an assistant deleted, then imported again, is live again and can be deleted again', async () => {
  const seeded = await seed(source.app);
  const text = linesOf(await exportToText(source.app)).join('\n');
  const [rich] = seeded.alice;
  await as(source.app, ALICE, 'DELETE', `/v1/assistants/${rich.id}`);
  expect(await importThreads(source.app.store, Readable.from([text]))).toMatchObject({
    assistants: 1,
    skippedAssistants: 2,
  });
  expect((await as(source.app, ALICE, 'GET', `/v1/assistants/${rich.id}`)).json()).toEqual(rich);
  expect((await as(source.app, ALICE, 'DELETE', `/v1/assistants/${rich.id}`)).statusCode).toBe(200);
  expect((await as(source.app, ALICE, 'GET', `/v1/assistants/${rich.id}`)).statusCode).toBe(404);
});

test('a file written before assistants existed (thread lines only) imports as before', async () => {
  await seed(source.app);
  const threadLines = linesOf(await exportToText(source.app)).filter((line) => JSON.parse(line).object === 'thread');
  const result = await importThreads(target.app.store, Readable.from([threadLines.join('\n')]));
  expect(result).toEqual({ created: 1, skipped: 0, messages: 1, assistants: 0, skippedAssistants: 0, errors: [] });
});

test('a bad assistant line is reported with its number, as the API words it, and nothing of it is written', async () => {
  const seeded = await seed(source.app);
  const lines = linesOf(await exportToText(source.app));
  const bad = (change: (line: Record<string, any>) => void) => {
    const line = JSON.parse(lines[0]!);
    change(line);
    return JSON.stringify(line);
  };
  const text = [
    bad((l) => (l.temperature = 3)),
    bad((l) => (l.tools = [{ type: 'retrieval' }])),
    bad((l) => (l.id = 'thread_abc')),
    bad((l) => (l.extra = 1)),
    bad((l) => (l.name = 'n'.repeat(257))),
    lines[1],
  ].join('\n');
  const result = await importThreads(target.app.store, Readable.from([text]));
  expect(result.errors).toEqual([
    { line: 1, error: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead." },
    {
      line: 2,
      error:
        "tools[0].type: Invalid value: 'retrieval'. Supported values are: 'code_interpreter', 'file_search', and 'function'.",
    },
    { line: 3, error: "Invalid 'id': 'thread_abc'. Expected an ID that begins with 'asst'." },
    { line: 4, error: "Unknown parameter: 'extra'." },
    {
      line: 5,
      error:
        "Invalid 'name': string too long. Expected a string with maximum length 256, but got a string with length 257 instead.",
    },
  ]);
  expect(result.assistants).toBe(1);
  expect((await listed(target.app)).alice).toEqual([seeded.alice[1]]);
});

test('copy moves every assistant, then every thread; a second copy skips them', async () => {
  const seeded = await seed(source.app);
  expect(await copyThreads(source.app.store, target.app.store)).toEqual({
    threads: 1,
    messages: 1,
    assistants: 3,
    skipped: 0,
    skippedAssistants: 0,
    failed: [],
  });
  expect(await listed(target.app)).toEqual(seeded);
  expect(await copyThreads(source.app.store, target.app.store)).toMatchObject({ assistants: 0, skippedAssistants: 3 });
});
