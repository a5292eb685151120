// A run's create reads the first page of its prompt in its own transaction (the thread view's messages, the
// run's additional messages among them); its first turn reads the rest of a longer thread after that page.
import { afterEach, expect, test } from 'vitest';
import { PROMPT_PAGE } from '../../../src/store/run-types.js';
import { newRun } from '../../../src/views/run-view.js';
import { fromCreateMessage } from '../../../src/views/thread-view.js';
import { type RunsApp, startRunsApp } from '../../helpers/runs.js';

let t: RunsApp;
afterEach(async () => t?.close());

/** The one tenant of a server without API keys. */
const TENANT = '';

const userMessages = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => fromCreateMessage({ role: 'user', content: `message ${from + i}` }));

test('the create answers the thread view as its transaction left it, additional messages last; a replay reads none', async () => {
  t = await startRunsApp([]);
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o' });
  const thread = await t.ok('/v1/conversations', {
    items: [
      { type: 'message', role: 'user', content: 'first' },
      { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{}' },
      { type: 'message', role: 'assistant', content: 'second' },
    ],
  });
  const run = newRun({ assistant_id: asst.id }, asst, thread.id, Math.floor(Date.now() / 1000), 600);
  const lease = { owner: 'another-process', until: Date.now() + 60_000 };
  const key = { key: 'k1', fingerprint: 'f1' };
  const additional = userMessages(1);
  const created = await t.app.store.runs.create(TENANT, thread.id, run, additional, lease, key);
  expect(created?.run.id).toBe(run.id);
  // The function call is not in the thread view; the additional message is the latest message.
  const listed = (await t.get(`/v1/threads/${thread.id}/messages?order=asc`)).data;
  expect(listed).toHaveLength(3);
  expect(listed[2].content[0].text.value).toBe('message 0');
  expect(created?.prompt?.data.map((m) => m.id)).toEqual(listed.map((m: { id: string }) => m.id));
  expect(created?.prompt?.has_more).toBe(false);

  const again = newRun({ assistant_id: asst.id }, asst, thread.id, Math.floor(Date.now() / 1000), 600);
  const replay = await t.app.store.runs.create(TENANT, thread.id, again, additional, lease, key);
  expect(replay).toEqual({ run });
});

test("a thread longer than the create's page is asked of the model whole, in order", async () => {
  t = await startRunsApp([{ text: ['Read them all.'] }]);
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o' });
  const thread = await t.ok('/v1/threads', {});
  const count = PROMPT_PAGE + 5;
  for (let from = 0; from < count; from += 25)
    await t.app.store.items.create(TENANT, thread.id, userMessages(Math.min(25, count - from), from));
  const run = await t.ok(`/v1/threads/${thread.id}/runs`, {
    assistant_id: asst.id,
    additional_messages: [{ role: 'user', content: 'and the last' }],
  });
  await t.waitFor(thread.id, run.id, ['completed']);
  const asked = t.upstream.requests[0]!.body.messages.map((m) => m.content);
  expect(asked).toEqual([...userMessages(count).map((_, i) => `message ${i}`), 'and the last']);
});
