import { afterEach, expect, test } from 'vitest';
import { type RunsApp, startRunsApp } from '../../helpers/runs.js';

/** RUNS_PER_TENANT and RUNS_PER_REPLICA: past either, a run create answers the hosted API's 429. */

let t: RunsApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const KEYS = { API_KEYS: 'a:key-aaaaaaaaaaaaaaaa,b:key-bbbbbbbbbbbbbbbb' };
const as = (tenant: 'key-a' | 'key-b') => ({
  authorization: `Bearer ${tenant === 'key-a' ? 'key-aaaaaaaaaaaaaaaa' : 'key-bbbbbbbbbbbbbbbb'}`,
});

/** A turn that stays open: the run stays in_progress for the length of the test. */
const hanging = { fault: 'hang-mid-stream' } as const;

async function threadWithAssistant(app: RunsApp, key: 'key-a' | 'key-b') {
  const assistant = await app.ok('/v1/assistants', { model: 'gpt-4o' }, as(key));
  const thread = await app.ok('/v1/threads', {}, as(key));
  return { assistant, thread };
}

function expectRunLimit(res: Awaited<ReturnType<RunsApp['call']>>, message: RegExp) {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.headers['retry-after']).toBe('5');
  const { error } = res.json();
  expect(error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', param: null });
  expect(error.message).toMatch(message);
}

test("past RUNS_PER_TENANT unfinished runs, the tenant's next create is refused with 429; another tenant's is not", async () => {
  t = await startRunsApp(() => hanging, { ...KEYS, RUNS_PER_TENANT: '2' });
  for (let i = 0; i < 2; i++) {
    const { assistant, thread } = await threadWithAssistant(t, 'key-a');
    await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: assistant.id }, as('key-a'));
  }
  const { assistant, thread } = await threadWithAssistant(t, 'key-a');
  const refused = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: assistant.id }, as('key-a'));
  expectRunLimit(refused, /^Rate limit reached for active runs per organization: limit 2\./);
  const viaThreadAndRun = await t.call('POST', '/v1/threads/runs', { assistant_id: assistant.id }, as('key-a'));
  expectRunLimit(viaThreadAndRun, /limit 2/);
  // Nothing was written by the refused creates.
  expect((await t.get(`/v1/threads/${thread.id}/runs`, as('key-a'))).data).toEqual([]);

  const other = await threadWithAssistant(t, 'key-b');
  await t.ok(`/v1/threads/${other.thread.id}/runs`, { assistant_id: other.assistant.id }, as('key-b'));
});

test('past RUNS_PER_REPLICA runs executing here, any create is refused with 429 until one ends', async () => {
  t = await startRunsApp(() => hanging, { ...KEYS, RUNS_PER_REPLICA: '1' });
  const first = await threadWithAssistant(t, 'key-a');
  const run = await t.ok(`/v1/threads/${first.thread.id}/runs`, { assistant_id: first.assistant.id }, as('key-a'));
  await t.waitFor(first.thread.id, run.id, ['in_progress'], as('key-a'));
  const other = await threadWithAssistant(t, 'key-b');
  const refused = await t.call(
    'POST',
    `/v1/threads/${other.thread.id}/runs`,
    { assistant_id: other.assistant.id },
    as('key-b'),
  );
  expectRunLimit(refused, /^Rate limit reached for active runs on this server: limit 1\./);

  await t.ok(`/v1/threads/${first.thread.id}/runs/${run.id}/cancel`, {}, as('key-a'));
  await t.waitFor(first.thread.id, run.id, ['cancelled'], as('key-a'));
  await t.ok(`/v1/threads/${other.thread.id}/runs`, { assistant_id: other.assistant.id }, as('key-b'));
});
