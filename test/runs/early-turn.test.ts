// A run's first turn sent before its create is written (src/runs/early-turn.ts), against the real upstream
// client and the scripted upstream: taken when the executor builds the same request, else withdrawn.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { EarlyTurn } from '../../src/runs/early-turn.js';
import { NO_USAGE } from '../../src/runs/lifecycle.js';
import type { ItemRecord } from '../../src/store/records.js';
import { createChatUpstream } from '../../src/upstream/chat-completions.js';
import type { ChatCompletionChunk } from '../../src/upstream/chat-types.js';
import { chatRequestOf } from '../../src/views/chat-prompt.js';
import { newRun } from '../../src/views/run-view.js';
import { type ScriptedUpstream, startScriptedUpstream } from '../helpers/scripted-upstream.mjs';

const assistant = {
  id: 'asst_1',
  model: 'gpt-4o',
  instructions: null,
  tools: [],
  temperature: 1,
  top_p: 1,
  response_format: 'auto' as const,
};
const run = newRun({ assistant_id: assistant.id }, assistant, 'thread_1', Math.floor(Date.now() / 1000), 600);
const hi: ItemRecord = {
  id: 'msg_1',
  created_at: run.created_at,
  type: 'message',
  role: 'user',
  item: null,
  content: [{ type: 'text', text: { value: 'Hi', annotations: [] } }],
  status: 'completed',
  incomplete_details: null,
  completed_at: run.created_at,
  incomplete_at: null,
  assistant_id: null,
  run_id: null,
  attachments: [],
  metadata: {},
};
/** What the executor builds for the run's first turn on that thread. */
const request = chatRequestOf({ run, messages: [hi], steps: [], model: 'gpt-4o', spent: NO_USAGE });

let upstream: ScriptedUpstream | undefined;
afterEach(async () => upstream?.close());

async function earlyTurn(release?: Promise<unknown>) {
  upstream = await startScriptedUpstream(() => ({ text: ['Hello', ' there'], holdAfterRole: release }));
  const client = createChatUpstream({
    baseUrl: upstream.url,
    modelMap: {},
    connectTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    maxRetries: 0,
  });
  return new EarlyTurn(client, run, [hi]);
}

/** Polls (2 s at most) until the upstream has the request. */
async function reached(seen: ScriptedUpstream) {
  for (let i = 0; i < 200 && seen.requests.length === 0; i++) await sleep(10);
  expect(seen.requests).toHaveLength(1);
}

/** Polls (2 s at most) until the upstream's first exchange has ended; how it ended. */
async function firstExchangeEnd(seen: ScriptedUpstream) {
  for (let i = 0; i < 200; i++) {
    const ended = seen.requests[0]?.ended;
    if (ended) return ended;
    await sleep(10);
  }
  throw new Error('the upstream exchange never ended');
}

async function texts(chunks: AsyncIterator<ChatCompletionChunk>) {
  const seen: string[] = [];
  for (let next = await chunks.next(); !next.done; next = await chunks.next())
    if (next.value.choices[0]?.delta?.content) seen.push(next.value.choices[0].delta.content);
  return seen;
}

test('taken with the request it sent, the turn streams its answer: one request, answered', async () => {
  const turn = await earlyTurn();
  await reached(upstream!);
  expect(upstream!.requests[0]!.body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
  const chunks = turn.take({ ...request, messages: [...request.messages] }, new AbortController().signal);
  expect(chunks).toBeDefined();
  expect(await texts(chunks!)).toEqual(['Hello', ' there']);
  turn.withdraw(); // taken already: nothing
  expect(upstream!.requests).toHaveLength(1);
  expect(await firstExchangeEnd(upstream!)).toBe('answered');
});

test('asked for another request, the turn is withdrawn: its exchange is cut off, and it cannot be taken after', async () => {
  let release!: () => void;
  const turn = await earlyTurn(new Promise((resolve) => (release = () => resolve(undefined))));
  const other = { ...request, messages: [...request.messages, { role: 'user' as const, content: 'More' }] };
  await reached(upstream!);
  expect(turn.take(other, new AbortController().signal)).toBeUndefined();
  expect(await firstExchangeEnd(upstream!)).toBe('cut off');
  release();
  expect(turn.take(request, new AbortController().signal)).toBeUndefined();
  expect(upstream!.requests).toHaveLength(1);
});

test('withdrawn before anyone takes it, the request is closed; taken, it stops when the run is stopped', async () => {
  let release!: () => void;
  const held = new Promise((resolve) => (release = () => resolve(undefined)));
  const withdrawn = await earlyTurn(held);
  await reached(upstream!); // its answer waits after the role chunk
  withdrawn.withdraw();
  expect(await firstExchangeEnd(upstream!)).toBe('cut off');
  release();
  await upstream!.close();

  let releaseTaken!: () => void;
  const taken = await earlyTurn(new Promise((resolve) => (releaseTaken = () => resolve(undefined))));
  const stop = new AbortController();
  const chunks = taken.take(request, stop.signal)!;
  expect((await chunks.next()).value.choices[0].delta.role).toBe('assistant');
  stop.abort(new Error('run cancel'));
  await expect(chunks.next()).rejects.toThrow('run cancel');
  expect(await firstExchangeEnd(upstream!)).toBe('cut off');
  releaseTaken();
});

test('a run stopped before its turn takes nothing, not even the first chunk already in: the turn is withdrawn', async () => {
  let release!: () => void;
  const turn = await earlyTurn(new Promise((resolve) => (release = () => resolve(undefined))));
  await reached(upstream!);
  await sleep(50); // the role chunk has come in
  const stop = new AbortController();
  stop.abort(new Error('run cancel'));
  expect(turn.take(request, stop.signal)).toBeUndefined();
  expect(await firstExchangeEnd(upstream!)).toBe('cut off');
  release();
});
