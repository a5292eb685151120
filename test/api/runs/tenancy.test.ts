import { afterEach, expect, test } from 'vitest';
import { expectError } from '../../helpers/api.js';
import { type RunsApp, startRunsApp, weatherTool } from '../../helpers/runs.js';

let t: RunsApp;
afterEach(async () => t?.close());

const A = { authorization: 'Bearer key-aaaaaaaaaaaaaaaa' };
const B = { authorization: 'Bearer key-bbbbbbbbbbbbbbbb' };

test("another tenant's threads, runs, steps and assistants read as absent on every run route", async () => {
  t = await startRunsApp([{ toolCalls: [{ name: 'get_weather', arguments: ['{}'], id: 'call_1' }] }], {
    API_KEYS: 'a:key-aaaaaaaaaaaaaaaa,b:key-bbbbbbbbbbbbbbbb',
  });
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o', tools: [weatherTool] }, A);
  const thread = await t.ok('/v1/threads', {}, A);
  const run = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id }, A);
  await t.waitFor(thread.id, run.id, ['requires_action'], A);
  const [step] = (await t.get(`/v1/threads/${thread.id}/runs/${run.id}/steps`, A)).data;

  const noThread = { message: `No thread found with id '${thread.id}'.`, param: null, code: null };
  const base = `/v1/threads/${thread.id}/runs`;
  for (const [method, url, body] of [
    ['POST', base, { assistant_id: asst.id }],
    ['GET', base],
    ['GET', `${base}/${run.id}`],
    ['POST', `${base}/${run.id}`, { metadata: { x: 'y' } }],
    ['POST', `${base}/${run.id}/cancel`],
    ['POST', `${base}/${run.id}/submit_tool_outputs`, { tool_outputs: [{ tool_call_id: 'call_1', output: 'x' }] }],
    ['GET', `${base}/${run.id}/steps`],
    ['GET', `${base}/${run.id}/steps/${step.id}`],
  ] as const) {
    expectError(await t.call(method, url, body, B), 404, noThread);
  }
  // B's own thread with A's assistant: the assistant is absent.
  const own = await t.ok('/v1/threads', {}, B);
  expectError(await t.call('POST', `/v1/threads/${own.id}/runs`, { assistant_id: asst.id }, B), 404, {
    message: `No assistant found with id '${asst.id}'.`,
    param: null,
    code: null,
  });
  expectError(await t.call('POST', '/v1/threads/runs', { assistant_id: asst.id }, B), 404, {
    message: `No assistant found with id '${asst.id}'.`,
    param: null,
    code: null,
  });
  // Nothing B did touched A's run.
  expect((await t.get(`${base}/${run.id}`, A)).status).toBe('requires_action');
});
