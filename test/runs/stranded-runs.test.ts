import { afterEach, expect, test } from 'vitest';
import type { RunRef } from '../../src/store/run-types.js';
import { newRun } from '../../src/views/run-view.js';
import { type RunsApp, startRunsApp } from '../helpers/runs.js';

/*
 * The sweep's recovery of runs a process that ended left behind, by status (docs/runs.md#restarts-crashes-and-replicas):
 * here the process that ended is a lease written for an owner that never renews it.
 */

let t: RunsApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The one tenant of a server without API keys. */
const TENANT = '';

/** A run in `status`, held by a process that stopped renewing its lease a moment ago. */
async function leftBehind(app: RunsApp, status: 'queued' | 'in_progress' | 'cancelling'): Promise<RunRef> {
  const assistant = await app.ok('/v1/assistants', { model: 'gpt-4o' });
  const thread = await app.ok('/v1/threads', { messages: [{ role: 'user', content: 'hi' }] });
  const run = newRun({ assistant_id: assistant.id }, assistant, thread.id, Math.floor(Date.now() / 1000), 600);
  const ref = { tenant: TENANT, threadId: thread.id, runId: run.id };
  const store = app.app.store;
  await store.runs.create(TENANT, thread.id, run, [], { owner: 'a-process-that-ended', until: Date.now() - 1 });
  // Created started, as every run is: a run back in the queue has been given its tool outputs.
  if (status !== 'in_progress') await store.runs.update(TENANT, thread.id, run.id, { set: { status } });
  return ref;
}

test('a queued run left behind is started by the sweep and answered once', async () => {
  t = await startRunsApp([{ text: ['Hello'] }]);
  const ref = await leftBehind(t, 'queued');
  const run = await t.waitFor(ref.threadId, ref.runId, ['completed', 'failed']);
  expect(run.status).toBe('completed');
  const messages = (await t.get(`/v1/threads/${ref.threadId}/messages?order=asc`)).data;
  expect(messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
  expect(t.upstream.requests).toHaveLength(1);
});

test('a cancelling run left behind ends cancelled without asking the model', async () => {
  t = await startRunsApp([{ text: ['Hello'] }]);
  const ref = await leftBehind(t, 'cancelling');
  const run = await t.waitFor(ref.threadId, ref.runId, ['cancelled']);
  expect(run).toMatchObject({ status: 'cancelled', expires_at: null });
  expect(run.cancelled_at).toEqual(expect.any(Number));
  expect(t.upstream.requests).toHaveLength(0);
});

test('a message left without its step (written apart, as before they shared a transaction) ends incomplete with the run', async () => {
  t = await startRunsApp([{ text: ['Hello'] }]);
  const ref = await leftBehind(t, 'in_progress');
  const run = await t.get(`/v1/threads/${ref.threadId}/runs/${ref.runId}`);
  // PostgreSQL once wrote a turn's message and its message-creation step side by side: here only the message landed.
  await t.app.store.runs.messages.create(TENANT, ref.threadId, {
    id: 'msg_orphan',
    type: 'message',
    role: 'assistant',
    item: null,
    content: [],
    status: 'in_progress',
    attachments: [],
    metadata: {},
    assistant_id: run.assistant_id,
    run_id: ref.runId,
  });
  const failed = await t.waitFor(ref.threadId, ref.runId, ['failed']);
  expect(failed.last_error).toEqual({ code: 'server_error', message: 'The server restarted during the run.' });
  const message = await t.get(`/v1/threads/${ref.threadId}/messages/msg_orphan`);
  expect(message).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'run_failed' } });
  expect(t.upstream.requests).toHaveLength(0);
});
