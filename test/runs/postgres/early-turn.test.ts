// A run's first turn goes out while its create is still being written (docs/runs.md#how-a-run-is-stored).
// Here the create is held on its thread's row lock, which the test holds: the model has the request before
// the run exists, and a create that then loses the thread's lock to another has its turn withdrawn.
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, test } from 'vitest';
import { type RunsApp, startRunsApp } from '../../helpers/runs.js';

let t: RunsApp;
let holder: pg.Client;
afterEach(async () => {
  await holder?.end();
  await t?.close();
});

async function until(condition: () => boolean, what: string) {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await sleep(10);
  }
  throw new Error(`never: ${what}`);
}

/**
 * An app, an assistant, a thread of one message, and the thread's row locked by another connection. The
 * model's answers wait after their role chunk until `release`.
 */
async function heldThread() {
  let release!: () => void;
  const released = new Promise((resolve) => (release = () => resolve(undefined)));
  t = await startRunsApp(() => ({ text: ['Early', ' answer.'], holdAfterRole: released }));
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o' });
  const thread = await t.ok('/v1/threads', { messages: [{ role: 'user', content: 'Hi' }] });
  holder = new pg.Client({ connectionString: t.databaseUrl });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('SELECT 1 FROM threads WHERE id = $1 FOR UPDATE', [thread.id]);
  return { asst, thread, release };
}

const runCount = async () => (await holder.query('SELECT count(*)::int AS n FROM runs')).rows[0].n;

test('the model is asked while the create waits for its thread; the run then reads that one answer', async () => {
  const { asst, thread, release } = await heldThread();
  release();
  let answered = false;
  const create = t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id }).finally(() => {
    answered = true;
  });
  await until(() => t.upstream.requests.length === 1, 'the upstream has the request');
  expect(answered).toBe(false);
  expect(await runCount()).toBe(0);
  expect(t.upstream.requests[0]!.body.messages).toEqual([{ role: 'user', content: 'Hi' }]);

  await holder.query('COMMIT');
  const res = await create;
  expect(res.statusCode, res.body).toBe(200);
  await t.waitFor(thread.id, res.json().id, ['completed']);
  const messages = await t.get(`/v1/threads/${thread.id}/messages`);
  expect(messages.data[0].content[0].text.value).toBe('Early answer.');
  expect(t.upstream.requests).toHaveLength(1);
  expect(t.upstream.requests[0]!.ended).toBe('answered');
});

test('of two creates that sent their turns while held, the one refused the thread has its turn cut off', async () => {
  const { asst, thread, release } = await heldThread();
  const creates = [0, 1].map(() => t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id }));
  await until(() => t.upstream.requests.length === 2, 'the upstream has both requests');
  await holder.query('COMMIT');
  const answers = await Promise.all(creates);
  expect(answers.map((res) => res.statusCode).sort()).toEqual([200, 400]);
  const won = answers.find((res) => res.statusCode === 200)!.json();
  // The refused create's turn is closed while the model is still at its first token; the winner's goes on.
  await until(() => t.upstream.requests.some((seen) => seen.ended === 'cut off'), 'one exchange is cut off');
  release();
  await t.waitFor(thread.id, won.id, ['completed']);
  await until(() => t.upstream.requests.every((seen) => seen.ended !== undefined), 'both exchanges end');
  expect(t.upstream.requests.map((seen) => seen.ended).sort()).toEqual(['answered', 'cut off']);
  const runs = await t.get(`/v1/threads/${thread.id}/runs`);
  expect(runs.data.map((run: { id: string }) => run.id)).toEqual([won.id]);
});
