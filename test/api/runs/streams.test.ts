import { afterEach, describe, expect, test } from 'vitest';
import { parseEvents, type RunsApp, startRunsApp, weatherTool } from '../../helpers/runs.js';
import { expectRunConformsTo } from '../../helpers/runs-schemas.js';

let t: RunsApp;
afterEach(async () => t?.close());

async function setUp(turns: Parameters<typeof startRunsApp>[0]) {
  t = await startRunsApp(turns);
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o', tools: [weatherTool] });
  const thread = await t.ok('/v1/threads', { messages: [{ role: 'user', content: 'Hi' }] });
  return { asst, thread };
}

/** Each event's data against the spec's schema for it. */
function expectEventsConform(events: { event: string; data: unknown }[]) {
  for (const { event, data } of events) {
    if (event === 'done') expect(data).toBe('[DONE]');
    else if (event === 'thread.created') expectRunConformsTo('ThreadObject', data);
    else if (event === 'thread.message.delta') expectRunConformsTo('MessageDeltaObject', data);
    else if (event === 'thread.run.step.delta') expectRunConformsTo('RunStepDeltaObject', data);
    else if (event.startsWith('thread.run.step.')) expectRunConformsTo('RunStepObject', data);
    else if (event.startsWith('thread.message.')) expectRunConformsTo('MessageObject', data);
    else expectRunConformsTo('RunObject', data);
  }
}

describe('stream: true', () => {
  test('a text answer streams the hosted events in order, ending with done', async () => {
    const { asst, thread } = await setUp([{ text: ['Hel', 'lo'] }]);
    const res = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, stream: true });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
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
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
      'done',
    ]);
    expectEventsConform(events);
    const byName = (name: string) => events.find((e) => e.event === name)!.data;
    // Lifecycle events carry the run as it is then (RUNS.md): started_at is set on in_progress, usage at the end.
    const runs = events.filter((e) => e.event.startsWith('thread.run.') && !e.event.includes('step'));
    expect(runs.map((e) => [e.event, e.data.status, typeof e.data.started_at, e.data.usage === null])).toEqual([
      ['thread.run.created', 'queued', 'object', true],
      ['thread.run.queued', 'queued', 'object', true],
      ['thread.run.in_progress', 'in_progress', 'number', true],
      ['thread.run.completed', 'completed', 'number', false],
    ]);
    const message = byName('thread.message.created');
    expect(message).toMatchObject({ content: [], status: 'in_progress', role: 'assistant' });
    expect(byName('thread.run.step.created').step_details).toEqual({
      type: 'message_creation',
      message_creation: { message_id: message.id },
    });
    const deltas = events.filter((e) => e.event === 'thread.message.delta').map((e) => e.data);
    expect(deltas).toEqual([
      {
        id: message.id,
        object: 'thread.message.delta',
        delta: { content: [{ index: 0, type: 'text', text: { value: 'Hel', annotations: [] } }] },
      },
      {
        id: message.id,
        object: 'thread.message.delta',
        delta: { content: [{ index: 0, type: 'text', text: { value: 'lo' } }] },
      },
    ]);
    expect(byName('thread.message.completed').content).toEqual([
      { type: 'text', text: { value: 'Hello', annotations: [] } },
    ]);
    expect(byName('thread.run.completed').status).toBe('completed');
  });

  test('a function call streams step deltas and ends at requires_action; the outputs stream goes on to the answer', async () => {
    const { asst, thread } = await setUp([
      { toolCalls: [{ name: 'get_weather', arguments: ['{"city":', '"Paris"}'], id: 'call_1' }] },
      { text: ['Sunny'] },
    ]);
    const res = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, stream: true });
    const events = parseEvents(res.body);
    expect(events.map((e) => e.event)).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.run.step.delta',
      'thread.run.step.delta',
      'thread.run.step.delta',
      'thread.run.requires_action',
      'done',
    ]);
    expectEventsConform(events);
    const step = events[3]!.data;
    expect(step.step_details).toEqual({ type: 'tool_calls', tool_calls: [] });
    // The call's id and name in its first delta only; then only argument fragments.
    expect(events.slice(5, 8).map((e) => e.data.delta.step_details.tool_calls)).toEqual([
      [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '', output: null } }],
      [{ index: 0, type: 'function', function: { arguments: '{"city":' } }],
      [{ index: 0, type: 'function', function: { arguments: '"Paris"}' } }],
    ]);
    const run = events[8]!.data;

    const resumed = await t.call('POST', `/v1/threads/${thread.id}/runs/${run.id}/submit_tool_outputs`, {
      tool_outputs: [{ tool_call_id: 'call_1', output: '20C' }],
      stream: true,
    });
    const next = parseEvents(resumed.body);
    expect(next.map((e) => e.event)).toEqual([
      'thread.run.step.completed',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.delta',
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
      'done',
    ]);
    expectEventsConform(next);
    expect(next[0]!.data.step_details.tool_calls[0].function.output).toBe('20C');
  });

  test('create-thread-and-run starts with thread.created; an upstream failure ends with thread.run.failed', async () => {
    await setUp([{ text: ['ok'] }, { status: 503, body: { error: { message: 'Down' } } }]);
    const asst = await t.ok('/v1/assistants', { model: 'gpt-4o' });
    const res = await t.call('POST', '/v1/threads/runs', {
      assistant_id: asst.id,
      thread: { messages: [{ role: 'user', content: 'Hi' }], metadata: { from: 'test' } },
      stream: true,
    });
    const events = parseEvents(res.body);
    expect(events.map((e) => e.event).slice(0, 3)).toEqual([
      'thread.created',
      'thread.run.created',
      'thread.run.queued',
    ]);
    expect(events.at(-2)!.event).toBe('thread.run.completed');
    expectEventsConform(events);
    const thread = events[0]!.data;
    expect(thread.metadata).toEqual({ from: 'test' });

    const failing = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, stream: true });
    const failed = parseEvents(failing.body);
    expect(failed.map((e) => e.event)).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.failed',
      'done',
    ]);
    expect(failed[3]!.data.last_error.code).toBe('server_error');
  });

  test('create-thread-and-run without stream answers the queued run of a new thread', async () => {
    await setUp([{ text: ['ok'] }]);
    const asst = await t.ok('/v1/assistants', { model: 'gpt-4o' });
    const run = await t.ok('/v1/threads/runs', {
      assistant_id: asst.id,
      thread: { messages: [{ role: 'user', content: 'Hi' }] },
    });
    expectRunConformsTo('RunObject', run);
    expect(run.status).toBe('queued');
    await t.waitFor(run.thread_id, run.id, ['completed']);
    const messages = await t.get(`/v1/threads/${run.thread_id}/messages?order=asc`);
    expect(messages.data.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
  });

  test('a client that goes away does not stop the run', async () => {
    const { asst, thread } = await setUp([{ text: ['a', 'b', 'c', 'd'], chunkDelayMs: 150 }]);
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const res = await fetch(`${address}/v1/threads/${thread.id}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistant_id: asst.id, stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const runId = /"id":"(run_[^"]+)"/.exec(first)![1]!;
    controller.abort();
    const run = await t.waitFor(thread.id, runId, ['completed', 'failed', 'cancelled']);
    expect(run.status).toBe('completed');
    const [message] = (await t.get(`/v1/threads/${thread.id}/messages?run_id=${runId}`)).data;
    expect(message.content[0].text.value).toBe('abcd');
  });
});
