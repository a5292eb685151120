// A run's message and its message-creation step are written in one transaction (one statement on
// PostgreSQL): both or neither; the step only for a run of the message's thread.
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { NewRunMessage } from '../../src/store/run-types.js';
import { newRun, newStep } from '../../src/views/run-view.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

/** The one tenant of a server without API keys. */
const TENANT = '';

async function threadWithRun() {
  const post = async (url: string, payload: object) => (await t.app.inject({ method: 'POST', url, payload })).json();
  const assistant = await post('/v1/assistants', { model: 'gpt-4o' });
  const thread = await post('/v1/threads', { messages: [{ role: 'user', content: 'Hi' }] });
  const run = newRun({ assistant_id: assistant.id }, assistant, thread.id, Math.floor(Date.now() / 1000), 600);
  await t.app.store.runs.create(TENANT, thread.id, run, [], { owner: 'another-process', until: Date.now() + 60_000 });
  return { thread, run };
}

const messageOf = (id: string, run: { id: string; assistant_id: string }): NewRunMessage => ({
  id,
  type: 'message',
  role: 'assistant',
  item: null,
  content: [],
  status: 'in_progress',
  attachments: [],
  metadata: {},
  assistant_id: run.assistant_id,
  run_id: run.id,
});

const stepFor = (run: ReturnType<typeof newRun>, messageId: string) =>
  newStep(run, Math.floor(Date.now() / 1000), {
    type: 'message_creation',
    message_creation: { message_id: messageId },
  });

test('the message and its step are written together, the message after the thread latest', async () => {
  const { thread, run } = await threadWithRun();
  const step = stepFor(run, 'msg_written');
  const record = await t.app.store.runs.messages.create(TENANT, thread.id, messageOf('msg_written', run), step);
  expect(record).toMatchObject({ id: 'msg_written', run_id: run.id, assistant_id: run.assistant_id });
  expect(await t.app.store.runs.steps.get(TENANT, thread.id, run.id, step.id)).toEqual(step);
  const listed = await t.app.store.items.list(TENANT, thread.id, { limit: 10, order: 'asc', view: 'thread' });
  expect(listed.data.map((m) => [m.role, m.run_id])).toEqual([
    ['user', null],
    ['assistant', run.id],
  ]);
});

test("a step for another thread's run is not written; a thread that is gone gets neither", async () => {
  const first = await threadWithRun();
  const second = await threadWithRun();
  const step = stepFor(second.run, 'msg_elsewhere');
  const record = await t.app.store.runs.messages.create(
    TENANT,
    first.thread.id,
    messageOf('msg_elsewhere', second.run),
    step,
  );
  expect(record?.id).toBe('msg_elsewhere');
  expect(await t.app.store.runs.steps.get(TENANT, second.thread.id, second.run.id, step.id)).toBeUndefined();

  const gone = stepFor(first.run, 'msg_gone');
  expect(
    await t.app.store.runs.messages.create(TENANT, 'thread_gone', messageOf('msg_gone', first.run), gone),
  ).toBeUndefined();
  expect(await t.app.store.runs.steps.get(TENANT, first.thread.id, first.run.id, gone.id)).toBeUndefined();
});
