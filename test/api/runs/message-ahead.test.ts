// A turn's message and its step are written when the upstream's role chunk says the turn starts with text,
// while the model works on its first token, and shown (their events) with the first text, or at once when the
// run cannot call tools; a turn that turns out to be tool calls, or fails before a word, withdraws them unseen
// (docs/runs.md#how-a-run-is-stored).
import { afterEach, expect, test } from 'vitest';
import { parseEvents, type RunsApp, startRunsApp, weatherTool } from '../../helpers/runs.js';

let t: RunsApp;
afterEach(async () => t?.close());

async function setUp(turns: Parameters<typeof startRunsApp>[0]) {
  t = await startRunsApp(turns);
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o', tools: [weatherTool] });
  const thread = await t.ok('/v1/threads', { messages: [{ role: 'user', content: 'Weather in Paris?' }] });
  return { asst, thread };
}

const roles = async (threadId: string) =>
  (await t.get(`/v1/threads/${threadId}/messages?order=asc`)).data.map((m: { role: string }) => m.role);
const stepTypes = async (threadId: string, runId: string) =>
  (await t.get(`/v1/threads/${threadId}/runs/${runId}/steps?order=asc`)).data.map((s: { type: string }) => s.type);

/** A gate for the scripted upstream's `holdAfterRole`: the text waits until `release()`. */
function heldAfterRole() {
  let release!: () => void;
  const holdAfterRole = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { holdAfterRole, release };
}

/** The thread's assistant message once it is written (polled, up to 5 s), as the messages list shows it. */
async function writtenAhead(threadId: string): Promise<{ id: string; status: string; content: unknown[] }> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const messages = (await t.get(`/v1/threads/${threadId}/messages?order=asc`)).data;
    const written = messages.find((m: { role: string }) => m.role === 'assistant');
    if (written || Date.now() > deadline) return written;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('the message is stored while the model works on its first token, and shown with that token', async () => {
  const { holdAfterRole, release } = heldAfterRole();
  const { asst, thread } = await setUp([{ text: ['Sunny', '.'], holdAfterRole }]);
  const streaming = t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, stream: true });
  const written = await writtenAhead(thread.id);
  expect(written).toMatchObject({ status: 'in_progress', content: [], run_id: expect.any(String) });
  release();
  const events = parseEvents((await streaming).body);
  expect(events.map((e) => e.event).slice(2)).toEqual([
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
  const shown = events.find((e) => e.event === 'thread.message.created')!.data;
  expect(shown.id).toBe(written.id);
  expect(events.find((e) => e.event === 'thread.message.completed')!.data.content[0].text.value).toBe('Sunny.');
});

test('a run that cannot call tools shows its message when the upstream opens the turn, before the first token', async () => {
  const { holdAfterRole, release } = heldAfterRole();
  t = await startRunsApp([{ text: ['Hi', '!'], holdAfterRole }]);
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o' });
  const thread = await t.ok('/v1/threads', { messages: [{ role: 'user', content: 'Hello' }] });
  const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const response = await fetch(`${base}/v1/threads/${thread.id}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ assistant_id: asst.id, stream: true }),
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!(text.includes('event: thread.message.in_progress') && text.endsWith('\n\n'))) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  // The model has not said a word yet: the message is out, no delta.
  expect(parseEvents(text).map((e) => e.event)).toEqual([
    'thread.run.created',
    'thread.run.queued',
    'thread.run.in_progress',
    'thread.run.step.created',
    'thread.run.step.in_progress',
    'thread.message.created',
    'thread.message.in_progress',
  ]);
  release();
  for (let next = await reader.read(); !next.done; next = await reader.read()) text += next.value;
  expect(
    parseEvents(text)
      .map((e) => e.event)
      .slice(7),
  ).toEqual([
    'thread.message.delta',
    'thread.message.delta',
    'thread.message.completed',
    'thread.run.step.completed',
    'thread.run.completed',
    'done',
  ]);
});

test('a tool-call turn that opens with empty text (as vLLM sends it) leaves no message and no message step', async () => {
  const { asst, thread } = await setUp([
    { toolCalls: [{ name: 'get_weather', arguments: ['{"city":"Paris"}'], id: 'call_p' }], roleContent: '' },
    { text: ['Sunny.'] },
  ]);
  const res = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, stream: true });
  const events = parseEvents(res.body).map((e) => e.event);
  expect(events.filter((e) => e.startsWith('thread.message.'))).toEqual([]);
  expect(events.slice(-3)).toEqual(['thread.run.step.delta', 'thread.run.requires_action', 'done']);
  const run = parseEvents(res.body).find((e) => e.event === 'thread.run.created')!.data;
  expect(await roles(thread.id)).toEqual(['user']);
  expect(await stepTypes(thread.id, run.id)).toEqual(['tool_calls']);

  await t.ok(`/v1/threads/${thread.id}/runs/${run.id}/submit_tool_outputs`, {
    tool_outputs: [{ tool_call_id: 'call_p', output: '{"sky":"clear"}' }],
  });
  expect((await t.waitFor(thread.id, run.id, ['completed', 'failed'])).status).toBe('completed');
  expect(await roles(thread.id)).toEqual(['user', 'assistant']);
  expect(await stepTypes(thread.id, run.id)).toEqual(['tool_calls', 'message_creation']);
  // The model's second turn saw the call and its output, and no empty assistant message before them.
  const prompt = t.upstream.requests[1]!.body.messages.map((m) => m.role);
  expect(prompt).toEqual(['user', 'assistant', 'tool']);
});

test('an upstream lost after its role chunk, before any text: the run fails and leaves no message', async () => {
  const { asst, thread } = await setUp([{ text: ['never sent'], faultAfter: 0 }]);
  const res = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, stream: true });
  const events = parseEvents(res.body);
  expect(events.map((e) => e.event)).toEqual([
    'thread.run.created',
    'thread.run.queued',
    'thread.run.in_progress',
    'thread.run.failed',
    'done',
  ]);
  const run = events[0]!.data;
  expect(await roles(thread.id)).toEqual(['user']);
  expect(await stepTypes(thread.id, run.id)).toEqual([]);
  expect((await t.get(`/v1/threads/${thread.id}/runs/${run.id}`)).status).toBe('failed');
});

test('a run cancelled while its message is written ahead but not shown ends cancelled with no message', async () => {
  const { holdAfterRole, release } = heldAfterRole();
  const { asst, thread } = await setUp([{ text: ['never shown'], holdAfterRole }]);
  const run = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
  expect(await writtenAhead(thread.id)).toMatchObject({ status: 'in_progress', content: [] });
  await t.ok(`/v1/threads/${thread.id}/runs/${run.id}/cancel`);
  expect((await t.waitFor(thread.id, run.id, ['cancelled', 'failed', 'completed'])).status).toBe('cancelled');
  release();
  expect(await roles(thread.id)).toEqual(['user']);
  expect(await stepTypes(thread.id, run.id)).toEqual([]);
});
