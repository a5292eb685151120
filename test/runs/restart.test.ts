import { afterEach, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.mjs';

/*
 * A run's progress is in the store, not only in memory: a server that stops mid-answer (no shutdown grace
 * left) fails the run as shut down, keeping the message's text so far; a restart reads it back as it was.
 */

let apps: TestApp[] = [];
let upstream: ScriptedUpstream | undefined;
afterEach(async () => {
  for (const app of apps.reverse()) await app.close();
  apps = [];
  await upstream?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a run in flight when the server stops fails as shut down, its text so far kept, read back after a restart', async () => {
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
  expect(await get(`/v1/threads/${thread.id}/runs/${run.id}`)).toMatchObject({
    status: 'failed',
    last_error: { code: 'server_error', message: 'The server shut down during the run.' },
  });
  const [message] = (await get(`/v1/threads/${thread.id}/messages?run_id=${run.id}`)).data;
  expect(message).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'run_failed' } });
  expect(message.content[0].text.value).toMatch(/^one two/);
  const [step] = (await get(`/v1/threads/${thread.id}/runs/${run.id}/steps`)).data;
  expect(step).toMatchObject({ type: 'message_creation', status: 'failed', last_error: { code: 'server_error' } });
  expect(upstream.requests).toHaveLength(1);
});
