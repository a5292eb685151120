// Runs across two replicas on one PostgreSQL database: each run executed by exactly one replica (its lease),
// a killed replica's runs taken over and ended by the other, a cancel on one replica stopping a run
// executing on the other (docs/runs.md#restarts-crashes-and-replicas). Separate processes, as in test/store/postgres/replicas.test.ts.
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { runProcessClient } from '../../helpers/run-process-client.js';
import { weatherTool } from '../../helpers/runs.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../../helpers/scripted-upstream.mjs';
import { buildServer, type BuiltServer, type ServerProcess, startServerProcess } from '../../helpers/server-process.js';

const LEASE_SECONDS = 1;
const WORDS = Array.from({ length: 20 }, (_, i) => `w${i} `);

let build: BuiltServer;
let upstream: ScriptedUpstream;
const servers: ServerProcess[] = [];
const databases: TestDatabase[] = [];

beforeAll(async () => {
  build = await buildServer();
  // Asked about the weather, the model calls get_weather; given its output, it says so; else it counts slowly.
  upstream = await startScriptedUpstream((request) => {
    const last = request.body.messages.at(-1)!;
    if (last.role === 'tool') return { text: [`Weather: ${last.content}`] };
    if (last.content === 'weather?') return { toolCalls: [{ name: 'get_weather', arguments: ['{"city":"Paris"}'] }] };
    return { text: WORDS, chunkDelayMs: 150 };
  });
}, 120_000);
afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
  for (const database of databases.splice(0)) await database.drop();
});
afterAll(async () => {
  await upstream?.close();
  build?.remove();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function twoReplicas() {
  const database = await createTestDatabase(inject('postgresAdminUrl'));
  databases.push(database);
  const start = () =>
    startServerProcess(build.entry, {
      DATABASE_URL: database.url,
      UPSTREAM_BASE_URL: upstream.url,
      RUN_LEASE_SECONDS: String(LEASE_SECONDS),
      METRICS_PUBLIC: 'true',
    });
  const pair = await Promise.all([start(), start()]);
  servers.push(...pair);
  return pair;
}

function client(server: ServerProcess) {
  const metric = async (name: string) => {
    const text = await (await fetch(`${server.baseURL}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
  };
  return { ...runProcessClient(server), metric };
}

test('runs created across both replicas, one killed: every run ends, each turn asked once', async () => {
  const [a, b] = await twoReplicas();
  const [viaA, viaB] = [client(a!), client(b!)];
  const asked = upstream.requests.length;
  const assistant = await viaA.ok('/assistants', { model: 'gpt-4o' });
  const runs: { thread: string; run: string; on: 'a' | 'b' }[] = [];
  for (let i = 0; i < 6; i++) {
    const on = i % 2 ? 'b' : 'a';
    const api = on === 'a' ? viaA : viaB;
    const thread = await api.ok('/threads', { messages: [{ role: 'user', content: `count ${i}` }] });
    const run = await api.ok(`/threads/${thread.id}/runs`, { assistant_id: assistant.id });
    runs.push({ thread: thread.id, run: run.id, on });
  }
  for (const { thread, run } of runs) await viaB.waitFor(thread, run, ['in_progress'], 5_000);
  a!.child.kill('SIGKILL');
  await a!.exited;

  // A's runs: taken over after its lease (1 s) by B's sweep and failed; B's: completed (3 s of text).
  const ended = [];
  for (const { thread, run, on } of runs) {
    const end = await viaB.waitFor(thread, run, ['completed', 'failed', 'cancelled', 'expired', 'incomplete'], 10_000);
    ended.push({ on, status: end.status, error: end.last_error });
  }
  expect(ended.filter((run) => run.on === 'b').map((run) => run.status)).toEqual([
    'completed',
    'completed',
    'completed',
  ]);
  for (const run of ended.filter((r) => r.on === 'a')) {
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'The server restarted during the run.' },
    });
  }
  expect(upstream.requests.length - asked).toBe(6);
  expect(await viaB.metric('threadstore_run_leases_taken_over_total')).toBe(3);
  // A's runs keep what they had said (an incomplete message, or none if killed before the first word).
  for (const { thread, on } of runs) {
    const [, ...answers] = (await viaB.get(`/threads/${thread}/messages?order=asc`)).data;
    if (on === 'b') {
      expect(answers).toMatchObject([{ role: 'assistant', status: 'completed' }]);
      expect(answers[0].content[0].text.value).toBe(WORDS.join(''));
    } else {
      expect(answers.length).toBeLessThanOrEqual(1);
      for (const answer of answers) expect(answer).toMatchObject({ status: 'incomplete', role: 'assistant' });
    }
  }
}, 60_000);

test('a cancel on one replica stops the run executing on the other at its next heartbeat', async () => {
  const [a, b] = await twoReplicas();
  const [viaA, viaB] = [client(a!), client(b!)];
  const assistant = await viaB.ok('/assistants', { model: 'gpt-4o' });
  const thread = await viaB.ok('/threads', { messages: [{ role: 'user', content: 'count' }] });
  const run = await viaB.ok(`/threads/${thread.id}/runs`, { assistant_id: assistant.id });
  await viaB.waitFor(thread.id, run.id, ['in_progress'], 5_000);
  await sleep(300);
  const cancelledAt = Date.now();
  expect((await viaA.ok(`/threads/${thread.id}/runs/${run.id}/cancel`)).status).toBe('cancelling');
  await viaA.waitFor(thread.id, run.id, ['cancelled'], 2_000);
  // Well before the 3 s answer would have ended: B stopped asking the upstream.
  expect(Date.now() - cancelledAt).toBeLessThan(2_000);
  // Past the time the whole answer would take: B wrote nothing more (it stopped, rather than finishing the answer).
  await sleep(WORDS.length * 150);
  const [, message] = (await viaA.get(`/threads/${thread.id}/messages?order=asc`)).data;
  expect(message).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'run_cancelled' } });
  expect(WORDS.join('').length).toBeGreaterThan(message.content[0]?.text.value.length ?? 0);
  const [step] = (await viaA.get(`/threads/${thread.id}/runs/${run.id}/steps`)).data;
  expect(step.status).toBe('cancelled');
}, 60_000);

test('tool outputs submitted on one replica for a run the other left waiting: the next turn runs, once', async () => {
  const [a, b] = await twoReplicas();
  const [viaA, viaB] = [client(a!), client(b!)];
  const asked = upstream.requests.length;
  const assistant = await viaB.ok('/assistants', { model: 'gpt-4o', tools: [weatherTool] });
  const thread = await viaB.ok('/threads', { messages: [{ role: 'user', content: 'weather?' }] });
  const run = await viaB.ok(`/threads/${thread.id}/runs`, { assistant_id: assistant.id });
  const waiting = await viaB.waitFor(thread.id, run.id, ['requires_action'], 5_000);
  const callId = waiting.required_action.submit_tool_outputs.tool_calls[0].id;
  await viaA.ok(`/threads/${thread.id}/runs/${run.id}/submit_tool_outputs`, {
    tool_outputs: [{ tool_call_id: callId, output: 'sunny' }],
  });
  expect((await viaB.waitFor(thread.id, run.id, ['completed', 'failed'], 5_000)).status).toBe('completed');
  const [, answer] = (await viaB.get(`/threads/${thread.id}/messages?order=asc`)).data;
  expect(answer.content[0].text.value).toBe('Weather: sunny');
  expect(upstream.requests.length - asked).toBe(2);
}, 60_000);
