import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { buildTestApp, startTestServer, type TestApp } from '../helpers/app.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.mjs';
import { startedRun } from '../../src/store/engine/run-row.js';
import { newRun } from '../../src/views/run-view.js';

/*
 * Closing (SIGTERM) takes no new runs (the 503 envelope every route answers while closing) and lets the runs
 * in flight finish within RUN_SHUTDOWN_GRACE_SECONDS; restart.test.ts shows a run that outlives the grace.
 */

let apps: TestApp[] = [];
let upstream: ScriptedUpstream | undefined;
afterEach(async () => {
  for (const app of apps.reverse()) await app.close();
  apps = [];
  await upstream?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a condition by polling; the test's own timeout bounds it. */
async function until(condition: () => boolean) {
  while (!condition()) await sleep(5);
}

test('a run in flight when closing begins completes within the grace; a run created meanwhile gets a 503', async () => {
  upstream = await startScriptedUpstream([{ text: ['one ', 'two ', 'three ', 'four ', 'five'], chunkDelayMs: 200 }]);
  const env = { UPSTREAM_BASE_URL: upstream.url, RUN_SHUTDOWN_GRACE_SECONDS: '10' };
  const first = await startTestServer(env);
  const post = async (url: string, payload: object) => first.app.inject({ method: 'POST', url, payload });
  const asst = (await post('/v1/assistants', { model: 'gpt-4o' })).json();
  const thread = (await post('/v1/threads', { messages: [{ role: 'user', content: 'Count' }] })).json();
  const other = (await post('/v1/threads', {})).json();
  const run = (await post(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id })).json();

  // A second create on a connection still open when closing begins (pipelined after a request in flight).
  const socket = connect(Number(new URL(first.baseURL).port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  await once(socket, 'connect');
  const body = JSON.stringify({ assistant_id: asst.id });
  const head = `POST /v1/threads/${other.id}/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const arrived = once(first.app.server, 'request');
  socket.write(`${head}${body.slice(0, 5)}`);
  await arrived;
  await sleep(300);
  const closing = first.app.close();
  await until(() => !first.app.server.listening);
  socket.write(`${body.slice(5)}${head}${body}`);
  await closing;
  await until(() => received.split('HTTP/1.1 ').length - 1 >= 2 || socket.destroyed);
  socket.destroy();
  const responses = received.split(/(?=HTTP\/1\.1 )/);
  // The create in flight when closing began is answered; the one after it is refused.
  expect(responses[0]).toMatch(/^HTTP\/1\.1 200 /);
  expect(responses[1]).toMatch(/^HTTP\/1\.1 503 /);
  expect(JSON.parse(responses[1]!.split('\r\n\r\n')[1]!)).toEqual({
    error: {
      message: 'The server is shutting down. Please retry your request.',
      type: 'server_error',
      param: null,
      code: null,
    },
  });

  const second = await buildTestApp(env, { reopen: first });
  apps.push(first, second);
  const get = async (url: string) => (await second.app.inject({ method: 'GET', url })).json();
  expect((await get(`/v1/threads/${thread.id}/runs/${run.id}`)).status).toBe('completed');
  const [message] = (await get(`/v1/threads/${thread.id}/messages?run_id=${run.id}`)).data;
  expect(message).toMatchObject({ status: 'completed', content: [{ text: { value: 'one two three four five' } }] });
  expect((await get(`/v1/threads/${other.id}/runs`)).data).toHaveLength(1);
}, 30_000);

test('a run whose create finished after closing began fails as shut down, never asked of the model', async () => {
  upstream = await startScriptedUpstream([{ text: ['never asked'] }]);
  const t = await buildTestApp({ UPSTREAM_BASE_URL: upstream.url });
  apps.push(t);
  const ok = async (url: string, payload: object) => {
    const res = await t.app.inject({ method: 'POST', url, payload });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const assistant = await ok('/v1/assistants', { model: 'gpt-4o' });
  const thread = await ok('/v1/threads', { messages: [{ role: 'user', content: 'Hi' }] });
  const scheduler = t.app.runner.scheduler!;
  const run = newRun({ assistant_id: assistant.id }, assistant, thread.id, Math.floor(Date.now() / 1000), 600);
  // The create's write, as the route makes it, lands after the scheduler has closed.
  const { prompt } = (await t.app.store.runs.create('', thread.id, run, [], scheduler.newLease()))!;
  await scheduler.close();
  scheduler.startCreated({ tenant: '', threadId: thread.id, runId: run.id }, { run: startedRun(run), prompt });
  let stored = await t.app.store.runs.get('', thread.id, run.id);
  while (stored?.status === 'in_progress') {
    await sleep(5);
    stored = await t.app.store.runs.get('', thread.id, run.id);
  }
  expect(stored).toMatchObject({ status: 'failed', last_error: { message: 'The server shut down during the run.' } });
  expect(upstream.requests).toHaveLength(0);
});
