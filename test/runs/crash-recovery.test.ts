// A real server process SIGKILLed (or sent SIGTERM) with a run in flight, then started again on the same
// database: no run stays queued, in_progress or cancelling, and the thread's messages are whole and written
// once (docs/runs.md#restarts-crashes-and-replicas). Separate processes: a kill leaves exactly what a crash leaves.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, inject, test } from 'vitest';
import { testEngine } from '../helpers/app.js';
import { createTestSchema } from '../helpers/postgres.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.mjs';
import { builtServerWithScratch, type ServerProcess, startServerProcess } from '../helpers/server-process.js';
import { runProcessClient } from '../helpers/run-process-client.js';
import { weatherTool } from '../helpers/runs.js';

const built = builtServerWithScratch('crash-recovery');
const LEASE_SECONDS = 1;
/** The documented bound: at start-up on SQLite; a lease and a sweep on PostgreSQL. Doubled for a loaded machine. */
const RECOVERY_MS = 2 * (LEASE_SECONDS * 1_000 + 1_000);

const servers: ServerProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
let upstream: ScriptedUpstream | undefined;
afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await upstream?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function databaseUrl(): Promise<string> {
  if (testEngine === 'sqlite') return join(mkdtempSync(join(built.dir, 'db-')), 'threadstore.db');
  const database = await createTestSchema(inject('postgresTestsUrl'));
  cleanups.push(database.drop);
  return database.url;
}

async function start(database: string, env: Record<string, string> = {}) {
  const server = await startServerProcess(built.entry, {
    ...env,
    DATABASE_URL: database,
    UPSTREAM_BASE_URL: upstream!.url,
    RUN_LEASE_SECONDS: String(LEASE_SECONDS),
    METRICS_PUBLIC: 'true',
  });
  servers.push(server);
  return server;
}

async function kill(server: ServerProcess) {
  server.child.kill('SIGKILL');
  expect(await server.exited).toBe('SIGKILL');
}

const WORDS = Array.from({ length: 30 }, (_, i) => `w${i} `);

test('killed mid-stream: after the restart the run fails as restarted, its message kept once and incomplete', async () => {
  upstream = await startScriptedUpstream([{ text: WORDS, chunkDelayMs: 100 }]);
  const database = await databaseUrl();
  const first = await start(database);
  const api = runProcessClient(first);
  const assistant = await api.ok('/assistants', { model: 'gpt-4o' });
  const thread = await api.ok('/threads', { messages: [{ role: 'user', content: 'Count' }] });
  const res = await fetch(`${first.baseURL}/v1/threads/${thread.id}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ assistant_id: assistant.id, stream: true }),
  });
  // Read the stream until the text has been flowing for over a second: some of it is in the store.
  const reader = res.body!.getReader();
  let seen = '';
  const decoder = new TextDecoder();
  while ((seen.match(/event: thread\.message\.delta/g) ?? []).length < 15)
    seen += decoder.decode((await reader.read()).value);
  const runId = /"id":"(run_[^"]+)"/.exec(seen)![1]!;
  await kill(first);

  const restarted = await start(database);
  const second = runProcessClient(restarted);
  const run = await second.waitFor(thread.id, runId, ['failed'], RECOVERY_MS);
  const metrics = await (await fetch(`${restarted.baseURL}/metrics`)).text();
  expect(metrics).toMatch(/^threadstore_run_leases_taken_over_total 1$/m);
  expect(run.last_error).toEqual({ code: 'server_error', message: 'The server restarted during the run.' });
  expect(run.expires_at).toBeNull();
  const messages = (await second.get(`/threads/${thread.id}/messages?order=asc`)).data;
  expect(messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
  const [, answer] = messages;
  expect(answer).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'run_failed' }, run_id: runId });
  const text: string = answer.content[0].text.value;
  expect(text.length).toBeGreaterThan(0);
  expect(WORDS.join('').startsWith(text)).toBe(true);
  const steps = (await second.get(`/threads/${thread.id}/runs/${runId}/steps`)).data;
  expect(steps).toMatchObject([{ status: 'failed', last_error: { code: 'server_error' } }]);
  // The interrupted turn is not asked again, and the thread is free for the next run.
  await sleep(LEASE_SECONDS * 1_000);
  expect(upstream.requests).toHaveLength(1);
  expect((await second.call('POST', `/threads/${thread.id}/messages`, { role: 'user', content: 'again' })).status).toBe(
    200,
  );
}, 60_000);

test('killed while a run waits for tool outputs: requires_action survives unchanged and takes the outputs after', async () => {
  upstream = await startScriptedUpstream([
    { toolCalls: [{ name: 'get_weather', arguments: ['{"city":"Paris"}'] }] },
    { text: ['Sunny', ' in Paris'] },
  ]);
  const database = await databaseUrl();
  const first = runProcessClient(await start(database));
  const assistant = await first.ok('/assistants', { model: 'gpt-4o', tools: [weatherTool] });
  const thread = await first.ok('/threads', { messages: [{ role: 'user', content: 'Weather?' }] });
  const created = await first.ok(`/threads/${thread.id}/runs`, { assistant_id: assistant.id });
  const waiting = await first.waitFor(thread.id, created.id, ['requires_action'], 5_000);
  await kill(servers[0]!);

  const second = runProcessClient(await start(database));
  // Past the lease and several sweeps: still waiting, exactly as before.
  await sleep(RECOVERY_MS);
  expect(await second.get(`/threads/${thread.id}/runs/${created.id}`)).toEqual(waiting);
  const callId = waiting.required_action.submit_tool_outputs.tool_calls[0].id;
  await second.ok(`/threads/${thread.id}/runs/${created.id}/submit_tool_outputs`, {
    tool_outputs: [{ tool_call_id: callId, output: '22C' }],
  });
  const done = await second.waitFor(thread.id, created.id, ['completed', 'failed'], 5_000);
  expect(done.status).toBe('completed');
  const messages = (await second.get(`/threads/${thread.id}/messages?order=asc`)).data;
  expect(
    messages.map((m: { role: string; content: { text: { value: string } }[] }) => [m.role, m.content[0]?.text.value]),
  ).toEqual([
    ['user', 'Weather?'],
    ['assistant', 'Sunny in Paris'],
  ]);
  expect(upstream.requests).toHaveLength(2);
}, 60_000);

test.each([
  { grace: '8', outcome: 'completed', within: 'within the grace: it completes' },
  { grace: '1', outcome: 'failed', within: 'past the grace: it fails as shut down' },
])(
  'SIGTERM with a run in flight, $within, and the process exits 0',
  async ({ grace, outcome }) => {
    upstream = await startScriptedUpstream([{ text: WORDS, chunkDelayMs: 100 }]);
    const database = await databaseUrl();
    const first = await start(database, { RUN_SHUTDOWN_GRACE_SECONDS: grace });
    const api = runProcessClient(first);
    const assistant = await api.ok('/assistants', { model: 'gpt-4o' });
    const thread = await api.ok('/threads', { messages: [{ role: 'user', content: 'Count' }] });
    const run = await api.ok(`/threads/${thread.id}/runs`, { assistant_id: assistant.id });
    await api.waitFor(thread.id, run.id, ['in_progress'], 5_000);
    await sleep(500);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = runProcessClient(await start(database));
    const ended = await second.get(`/threads/${thread.id}/runs/${run.id}`);
    expect(ended.status).toBe(outcome);
    const [, answer] = (await second.get(`/threads/${thread.id}/messages?order=asc`)).data;
    if (outcome === 'completed') {
      expect(answer).toMatchObject({ status: 'completed', content: [{ text: { value: WORDS.join('') } }] });
    } else {
      expect(ended.last_error).toEqual({ code: 'server_error', message: 'The server shut down during the run.' });
      expect(answer).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'run_failed' } });
    }
    expect(upstream.requests).toHaveLength(1);
  },
  60_000,
);
