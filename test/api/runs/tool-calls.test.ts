import { afterEach, describe, expect, test } from 'vitest';
import { expectError } from '../../helpers/api.js';
import { parseEvents, type RunsApp, startRunsApp, weatherTool } from '../../helpers/runs.js';
import { expectRunConformsTo } from '../../helpers/runs-schemas.js';

let t: RunsApp;
afterEach(async () => t?.close());

async function setUp(turns: Parameters<typeof startRunsApp>[0], env: Record<string, string> = {}) {
  t = await startRunsApp(turns, env);
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o', tools: [weatherTool] });
  const thread = await t.ok('/v1/threads', { messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }] });
  return { asst, thread };
}

const noLock = (message: string) => ({ message, param: null, code: null });

describe('function tools', () => {
  test('parallel calls: requires_action with every call, the thread locked, outputs resume the run to completed', async () => {
    const { asst, thread } = await setUp([
      {
        toolCalls: [
          { name: 'get_weather', arguments: ['{"city":', '"Paris"}'], id: 'call_p' },
          { name: 'get_weather', arguments: ['{"city":"Rome"}'], id: 'call_r' },
        ],
        usage: { prompt_tokens: 20, completion_tokens: 10 },
      },
      { text: ['Sunny in both.'], usage: { prompt_tokens: 40, completion_tokens: 5 } },
    ]);
    const created = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    const waiting = await t.waitFor(thread.id, created.id, ['requires_action', 'failed']);
    expectRunConformsTo('RunObject', waiting);
    expect(waiting).toMatchObject({
      status: 'requires_action',
      expires_at: created.expires_at,
      usage: null,
      required_action: {
        type: 'submit_tool_outputs',
        submit_tool_outputs: {
          tool_calls: [
            { id: 'call_p', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_r', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
      },
    });
    const [step] = (await t.get(`/v1/threads/${thread.id}/runs/${created.id}/steps`)).data;
    expect(step).toMatchObject({
      type: 'tool_calls',
      status: 'in_progress',
      step_details: {
        type: 'tool_calls',
        tool_calls: [
          {
            id: 'call_p',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}', output: null },
          },
          {
            id: 'call_r',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Rome"}', output: null },
          },
        ],
      },
    });

    // The thread lock, with the exact texts apps match on.
    expectError(
      await t.call('POST', `/v1/threads/${thread.id}/messages`, { role: 'user', content: 'more' }),
      400,
      noLock(`Can't add messages to thread ${thread.id} while a run ${created.id} is active.`),
    );
    expectError(
      await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id }),
      400,
      noLock(`Thread ${thread.id} already has an active run ${created.id}.`),
    );

    // All outputs in one request: a partial set is refused.
    expectError(
      await t.call('POST', `/v1/threads/${thread.id}/runs/${created.id}/submit_tool_outputs`, {
        tool_outputs: [{ tool_call_id: 'call_p', output: '20C' }],
      }),
      400,
      {
        message: 'Expected tool outputs for call_ids ["call_r"], but none were given for them.',
        param: 'tool_outputs',
        code: 'invalid_value',
      },
    );
    const resumed = await t.ok(`/v1/threads/${thread.id}/runs/${created.id}/submit_tool_outputs`, {
      tool_outputs: [
        { tool_call_id: 'call_p', output: '20C' },
        { tool_call_id: 'call_r', output: '25C' },
      ],
    });
    expect(resumed).toMatchObject({ status: 'queued', required_action: null, expires_at: created.expires_at });
    const done = await t.waitFor(thread.id, created.id, ['completed', 'failed']);
    expect(done).toMatchObject({
      status: 'completed',
      usage: { prompt_tokens: 60, completion_tokens: 15, total_tokens: 75 },
    });

    const steps = (await t.get(`/v1/threads/${thread.id}/runs/${created.id}/steps?order=asc`)).data;
    expect(steps.map((s: { type: string; status: string }) => [s.type, s.status])).toEqual([
      ['tool_calls', 'completed'],
      ['message_creation', 'completed'],
    ]);
    expect(steps[0].step_details.tool_calls.map((c: { function: { output: string } }) => c.function.output)).toEqual([
      '20C',
      '25C',
    ]);
    expect(t.upstream.requests[1]!.body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_p', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_r', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_p', content: '20C' },
      { role: 'tool', tool_call_id: 'call_r', content: '25C' },
    ]);
    // Unlocked again.
    await t.ok(`/v1/threads/${thread.id}/messages`, { role: 'user', content: 'thanks' });
  });

  test('the variants upstreams send (id and name on every chunk; no index, no id) stream as one clean call each', async () => {
    const { asst, thread } = await setUp([
      {
        toolCalls: [{ name: 'get_weather', arguments: ['{"city":', '"Paris"}'], id: 'call_p' }],
        repeatIdAndName: true,
      },
      { text: ['Sunny.'] },
      { toolCalls: [{ name: 'get_weather', arguments: ['{"city":', '"Rome"}'] }], omitIndex: true, omitId: true },
    ]);
    const deltasOf = (body: string) =>
      parseEvents(body)
        .filter((e) => e.event === 'thread.run.step.delta')
        .map((e) => e.data.delta.step_details.tool_calls);
    const callsOf = (body: string) =>
      parseEvents(body).find((e) => e.event === 'thread.run.requires_action')!.data.required_action.submit_tool_outputs
        .tool_calls;

    // RUNS.md: id, type and name in a call's first delta only; later deltas carry index, type and arguments.
    const first = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, stream: true });
    const run = parseEvents(first.body)[0]!.data;
    expect(deltasOf(first.body)).toEqual([
      [{ index: 0, id: 'call_p', type: 'function', function: { name: 'get_weather', arguments: '', output: null } }],
      [{ index: 0, type: 'function', function: { arguments: '{"city":' } }],
      [{ index: 0, type: 'function', function: { arguments: '"Paris"}' } }],
    ]);
    expect(callsOf(first.body)).toEqual([
      { id: 'call_p', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    await t.ok(`/v1/threads/${thread.id}/runs/${run.id}/submit_tool_outputs`, {
      tool_outputs: [{ tool_call_id: 'call_p', output: 'sunny' }],
    });
    await t.waitFor(thread.id, run.id, ['completed']);

    // No index and no id: the call gets index 0 and an id of ours, the same in the deltas and required_action.
    const second = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, stream: true });
    const [opening, ...rest] = deltasOf(second.body);
    const id = opening![0].id;
    expect(id).toMatch(/^call_/);
    expect([opening, ...rest]).toEqual([
      [{ index: 0, id, type: 'function', function: { name: 'get_weather', arguments: '', output: null } }],
      [{ index: 0, type: 'function', function: { arguments: '{"city":' } }],
      [{ index: 0, type: 'function', function: { arguments: '"Rome"}' } }],
    ]);
    expect(callsOf(second.body)).toEqual([
      { id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
    ]);
  });

  test('tool_choice forcing a function, or none, goes to the upstream; a function not among the tools is a 400', async () => {
    const { asst, thread } = await setUp([{ toolCalls: [{ name: 'get_weather', arguments: ['{}'] }] }]);
    const forced = await t.ok(`/v1/threads/${thread.id}/runs`, {
      assistant_id: asst.id,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    await t.waitFor(thread.id, forced.id, ['requires_action']);
    expect(t.upstream.requests[0]!.body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    // An upstream that omits ids: the server gives the call one.
    const [call] = (await t.get(`/v1/threads/${thread.id}/runs/${forced.id}`)).required_action.submit_tool_outputs
      .tool_calls;
    expect(call.id).toMatch(/^call_/);
    await t.ok(`/v1/threads/${thread.id}/runs/${forced.id}/cancel`);
    await t.waitFor(thread.id, forced.id, ['cancelled']);
    expectError(
      await t.call('POST', `/v1/threads/${thread.id}/runs`, {
        assistant_id: asst.id,
        tool_choice: { type: 'function', function: { name: 'nope' } },
      }),
      400,
      {
        message: "Invalid 'tool_choice': no function named 'nope' among the run's tools.",
        param: 'tool_choice.function.name',
        code: 'invalid_value',
      },
    );
  });

  test('cancel: requires_action → cancelling → cancelled, the open step cancelled, the thread unlocked', async () => {
    const { asst, thread } = await setUp([{ toolCalls: [{ name: 'get_weather', arguments: ['{}'] }] }]);
    const run = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    await t.waitFor(thread.id, run.id, ['requires_action']);
    const cancelling = await t.ok(`/v1/threads/${thread.id}/runs/${run.id}/cancel`);
    expectRunConformsTo('RunObject', cancelling);
    expect(cancelling.status).toBe('cancelling');
    const cancelled = await t.waitFor(thread.id, run.id, ['cancelled']);
    expect(cancelled).toMatchObject({ status: 'cancelled', expires_at: null, required_action: null });
    expect(cancelled.cancelled_at).toBeTypeOf('number');
    const [step] = (await t.get(`/v1/threads/${thread.id}/runs/${run.id}/steps`)).data;
    expect(step).toMatchObject({ status: 'cancelled' });
    expect(step.cancelled_at).toBeTypeOf('number');
    await t.ok(`/v1/threads/${thread.id}/messages`, { role: 'user', content: 'unlocked' });
    expectError(
      await t.call('POST', `/v1/threads/${thread.id}/runs/${run.id}/cancel`),
      400,
      noLock("Cannot cancel run with status 'cancelled'."),
    );
  });

  test('cancel while the model streams aborts the upstream call and leaves the message incomplete', async () => {
    const { asst, thread } = await setUp([{ text: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], chunkDelayMs: 300 }]);
    const run = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    await t.waitFor(thread.id, run.id, ['in_progress']);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await t.ok(`/v1/threads/${thread.id}/runs/${run.id}/cancel`);
    const cancelled = await t.waitFor(thread.id, run.id, ['cancelled', 'completed']);
    expect(cancelled.status).toBe('cancelled');
    const [message] = (await t.get(`/v1/threads/${thread.id}/messages?run_id=${run.id}`)).data;
    expect(message).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'run_cancelled' } });
    expect(message.content[0].text.value.length).toBeLessThan(8);
  });

  test('a run that waits past expires_at expires (RUN_EXPIRY_SECONDS), and then takes no outputs', async () => {
    const { asst, thread } = await setUp([{ toolCalls: [{ name: 'get_weather', arguments: ['{}'], id: 'call_1' }] }], {
      RUN_EXPIRY_SECONDS: '1',
    });
    const run = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    expect(run.expires_at).toBe(run.created_at + 1);
    await t.waitFor(thread.id, run.id, ['requires_action', 'expired']);
    const expired = await t.waitFor(thread.id, run.id, ['expired']);
    expectRunConformsTo('RunObject', expired);
    expect(expired).toMatchObject({ expires_at: null, required_action: null });
    const [step] = (await t.get(`/v1/threads/${thread.id}/runs/${run.id}/steps`)).data;
    expect(step.status).toBe('expired');
    expectError(
      await t.call('POST', `/v1/threads/${thread.id}/runs/${run.id}/submit_tool_outputs`, {
        tool_outputs: [{ tool_call_id: 'call_1', output: 'x' }],
      }),
      400,
      noLock('Runs in status "expired" do not accept tool outputs.'),
    );
  });

  test('max_completion_tokens: a turn cut at the budget ends the run incomplete', async () => {
    const { asst, thread } = await setUp([
      { text: ['long'], finish: 'length', usage: { prompt_tokens: 5, completion_tokens: 256 } },
    ]);
    const run = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, max_completion_tokens: 256 });
    const ended = await t.waitFor(thread.id, run.id, ['incomplete', 'completed', 'failed']);
    expectRunConformsTo('RunObject', ended);
    expect(ended).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_completion_tokens' },
      usage: { prompt_tokens: 5, completion_tokens: 256, total_tokens: 261 },
    });
    expect(t.upstream.requests[0]!.body.max_tokens).toBe(256);
    const [message] = (await t.get(`/v1/threads/${thread.id}/messages?run_id=${run.id}`)).data;
    expect(message).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_tokens' } });
  });

  test('max_prompt_tokens: a run whose prompts used up the budget ends incomplete before the next turn', async () => {
    const { asst, thread } = await setUp([
      {
        toolCalls: [{ name: 'get_weather', arguments: ['{}'], id: 'call_1' }],
        usage: { prompt_tokens: 300, completion_tokens: 4 },
      },
    ]);
    const run = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, max_prompt_tokens: 256 });
    await t.waitFor(thread.id, run.id, ['requires_action']);
    await t.ok(`/v1/threads/${thread.id}/runs/${run.id}/submit_tool_outputs`, {
      tool_outputs: [{ tool_call_id: 'call_1', output: 'x' }],
    });
    const ended = await t.waitFor(thread.id, run.id, ['incomplete', 'completed', 'failed']);
    expect(ended).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_prompt_tokens' },
      usage: { prompt_tokens: 300, completion_tokens: 4, total_tokens: 304 },
    });
    expect(t.upstream.requests).toHaveLength(1);
  });
});
