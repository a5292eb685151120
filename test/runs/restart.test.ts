import { afterEach, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.mjs';

/*
 * A run's progress is in the store, not only in memory: a server that stops mid-answer leaves the run, its
 * step and the message's text so far readable after a restart; the run then ends at its expires_at.
 */

let apps: TestApp[] = [];
let upstream: ScriptedUpstream | undefined;
afterEach(async () => {
  for (const app of apps.reverse()) await app.close();
  apps = [];
  await upstream?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a run in flight when the server stops is read back after a restart, then expires', async () => {
  upstream = await startScriptedUpstream([
    { text: ['one ', 'two ', 'three ', 'four ', 'five ', 'six'], chunkDelayMs: 300 },
  ]);
  const env = { UPSTREAM_BASE_URL: upstream.url, RUN_EXPIRY_SECONDS: '4' };
  const first = await buildTestApp(env);
  const post = async (app: TestApp, url: string, payload: object) => {
    const res = await app.app.inject({ method: 'POST', url, payload });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const asst = await post(first, '/v1/assistants', { model: 'gpt-4o' });
  const thread = await post(first, '/v1/threads', { messages: [{ role: 'user', content: 'Count' }] });
  const run = await post(first, `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
  await sleep(1_400);
  // Closed without removing the database: the run stops mid-answer.
  await first.app.close();

  const second = await buildTestApp(env, { reopen: first });
  apps.push(first, second);
  const get = async (url: string) => (await second.app.inject({ method: 'GET', url })).json();
  expect((await get(`/v1/threads/${thread.id}/runs/${run.id}`)).status).toBe('in_progress');
  const [message] = (await get(`/v1/threads/${thread.id}/messages?run_id=${run.id}`)).data;
  expect(message.status).toBe('in_progress');
  expect(message.content[0].text.value).toMatch(/^one two/);
  const [step] = (await get(`/v1/threads/${thread.id}/runs/${run.id}/steps`)).data;
  expect(step).toMatchObject({ type: 'message_creation', status: 'in_progress' });

  for (let i = 0; i < 80; i++) {
    const now = await get(`/v1/threads/${thread.id}/runs/${run.id}`);
    if (now.status === 'expired') break;
    await sleep(100);
  }
  expect((await get(`/v1/threads/${thread.id}/runs/${run.id}`)).status).toBe('expired');
  const [ended] = (await get(`/v1/threads/${thread.id}/messages?run_id=${run.id}`)).data;
  expect(ended).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'run_expired' } });
  expect((await get(`/v1/threads/${thread.id}/runs/${run.id}/steps`)).data[0].status).toBe('expired');
});
