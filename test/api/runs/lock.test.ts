import { afterEach, expect, test } from 'vitest';
import { type RunsApp, startRunsApp, weatherTool } from '../../helpers/runs.js';

let t: RunsApp;
afterEach(async () => t?.close());

test('of concurrent run creates on one thread exactly one wins; the others name its run', async () => {
  t = await startRunsApp(() => ({ toolCalls: [{ name: 'get_weather', arguments: ['{}'] }] }));
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o', tools: [weatherTool] });
  const thread = await t.ok('/v1/threads', {});
  const answers = await Promise.all(
    Array.from({ length: 6 }, () =>
      t.call('POST', `/v1/threads/${thread.id}/runs`, {
        assistant_id: asst.id,
        additional_messages: [{ role: 'user', content: 'Weather?' }],
      }),
    ),
  );
  const won = answers.filter((res) => res.statusCode === 200);
  expect(won).toHaveLength(1);
  const winner = won[0]!.json().id;
  for (const lost of answers.filter((res) => res.statusCode !== 200)) {
    expect(lost.json()).toEqual({
      error: {
        message: `Thread ${thread.id} already has an active run ${winner}.`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  }
  // Only the winner's additional message went in: the lock and the messages are one transaction.
  const messages = await t.get(`/v1/threads/${thread.id}/messages`);
  expect(messages.data).toHaveLength(1);
});

test('a create refused on a thread whose run waits for tool outputs asks the model nothing', async () => {
  t = await startRunsApp(() => ({ toolCalls: [{ name: 'get_weather', arguments: ['{}'] }] }));
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o', tools: [weatherTool] });
  const thread = await t.ok('/v1/threads', { messages: [{ role: 'user', content: 'Weather?' }] });
  const first = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
  await t.waitFor(thread.id, first.id, ['requires_action']);
  const refused = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
  expect(refused.statusCode).toBe(400);
  expect(refused.json().error.message).toBe(`Thread ${thread.id} already has an active run ${first.id}.`);
  // Its turn is not sent early only to be withdrawn: the thread's newest run showed the lock beforehand.
  expect(t.upstream.requests).toHaveLength(1);
});
