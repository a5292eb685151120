import { afterEach, expect, test } from 'vitest';
import { parseEvents, type RunsApp, startRunsApp } from '../../helpers/runs.js';

let t: RunsApp;
afterEach(async () => t?.close());

test('an upstream lost after text started: message incomplete, step failed, run failed, stream ends with done', async () => {
  t = await startRunsApp([{ text: ['Hel', 'lo', ' never sent'], faultAfter: 2 }]);
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o' });
  const thread = await t.ok('/v1/threads', { messages: [{ role: 'user', content: 'Hi' }] });
  const res = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, stream: true });
  expect(res.statusCode).toBe(200);
  const events = parseEvents(res.body);
  expect(events.map((e) => e.event)).toEqual([
    'thread.run.created',
    'thread.run.queued',
    'thread.run.in_progress',
    'thread.run.step.created',
    'thread.run.step.in_progress',
    'thread.message.created',
    'thread.message.in_progress',
    'thread.message.delta',
    'thread.message.delta',
    'thread.message.incomplete',
    'thread.run.step.failed',
    'thread.run.failed',
    'done',
  ]);
  const byName = (name: string) => events.find((e) => e.event === name)!.data;
  const run = byName('thread.run.failed');
  expect(run.last_error).toEqual({ code: 'server_error', message: expect.any(String) });
  expect(run.failed_at).toEqual(expect.any(Number));
  const message = byName('thread.message.incomplete');
  expect(message).toMatchObject({
    status: 'incomplete',
    incomplete_details: { reason: 'run_failed' },
    content: [{ type: 'text', text: { value: 'Hello', annotations: [] } }],
  });
  const step = byName('thread.run.step.failed');
  expect(step).toMatchObject({ status: 'failed', last_error: run.last_error });
  expect(step.failed_at).toEqual(expect.any(Number));

  // The store says the same to a client that polls; the turn was not sent again (text had come).
  expect(await t.get(`/v1/threads/${thread.id}/runs/${run.id}`)).toEqual(run);
  expect(await t.get(`/v1/threads/${thread.id}/messages/${message.id}`)).toEqual(message);
  expect(await t.get(`/v1/threads/${thread.id}/runs/${run.id}/steps/${step.id}`)).toEqual(step);
  expect(t.upstream.requests).toHaveLength(1);
});
