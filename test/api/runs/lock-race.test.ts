import { afterEach, expect, test } from 'vitest';
import { type RunsApp, startRunsApp, weatherTool } from '../../helpers/runs.js';

let t: RunsApp;
afterEach(async () => t?.close());

test('of message creates racing a run create, none gets in after the run: each is before it or refused', async () => {
  // The run stops at requires_action, so it stays active for the whole race.
  t = await startRunsApp(() => ({ toolCalls: [{ name: 'get_weather', arguments: ['{}'] }] }));
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o', tools: [weatherTool] });
  for (let round = 0; round < 4; round++) {
    const thread = await t.ok('/v1/threads', {});
    const message = (n: number) =>
      t.call('POST', `/v1/threads/${thread.id}/messages`, { role: 'user', content: `m${n}` });
    const runCreate = t.call('POST', `/v1/threads/${thread.id}/runs`, {
      assistant_id: asst.id,
      additional_messages: [{ role: 'user', content: 'run' }],
    });
    const answers = await Promise.all([
      ...Array.from({ length: 12 }, (_, n) => message(n)),
      runCreate,
      ...Array.from({ length: 12 }, (_, n) => message(12 + n)),
    ]);
    const run = (await runCreate).json();
    expect(run.status).toBe('queued');
    for (const refused of answers.filter((res) => res.statusCode !== 200)) {
      expect(refused.json()).toEqual({
        error: {
          message: `Can't add messages to thread ${thread.id} while a run ${run.id} is active.`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    }
    // The run's own message was written with it: every message that got in is before it.
    const listed = await t.get(`/v1/threads/${thread.id}/messages?order=asc&limit=100`);
    const texts = listed.data.map((m: { content: { text: { value: string } }[] }) => m.content[0]?.text.value);
    const accepted = answers.filter((res) => res.statusCode === 200).length - 1;
    expect(texts.at(-1), `round ${round}: ${texts.join(' ')}`).toBe('run');
    expect(texts).toHaveLength(accepted + 1);
    await t.waitFor(thread.id, run.id, ['requires_action']);
    await t.ok(`/v1/threads/${thread.id}/runs/${run.id}/cancel`);
  }
});
