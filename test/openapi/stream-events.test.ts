import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { DocumentValidator, type OpenApiDocument } from '../helpers/openapi-documents.js';
import { type RunsApp, startRunsApp, weatherTool } from '../helpers/runs.js';

/*
 * Real streams, read from a listening server as they arrive, against the `text/event-stream` answer the
 * committed openapi.yaml documents: every event validates, and together they send every event it names.
 */

type Schemas = Record<string, any>;
type StreamEvent = { event: string; data: any };

const document = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as OpenApiDocument;
const validator = new DocumentValidator('openapi.yaml', document);

/** The event names the document's AssistantStreamEvent describes. */
function documentedEvents(): string[] {
  const schemas = document.components.schemas as Schemas;
  const component = (ref: string) => schemas[ref.replace('#/components/schemas/', '')];
  return schemas.AssistantStreamEvent.oneOf.flatMap(({ $ref }: { $ref: string }) => {
    const schema = component($ref);
    return (schema.oneOf ?? [schema]).map((variant: Schemas) => variant.properties.event.enum[0]);
  });
}

const seen = new Set<string>();
let t: RunsApp;
let address: string;
afterEach(async () => t?.close());

async function setUp(turns: Parameters<typeof startRunsApp>[0], env: Record<string, string> = {}) {
  t = await startRunsApp(turns, { UPSTREAM_MAX_RETRIES: '0', ...env });
  address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o', tools: [weatherTool] });
  const thread = await t.ok('/v1/threads', { messages: [{ role: 'user', content: 'Hi' }] });
  return { asst, thread };
}

/**
 * POSTs with `stream: true` and reads the answer frame by frame as it comes (heartbeat comments skipped),
 * checking each event against the document's schema for the media type answered; `onEvent` may act mid-stream.
 */
async function stream(
  operationId: string,
  url: string,
  body: object,
  onEvent?: (event: StreamEvent) => Promise<void>,
): Promise<StreamEvent[]> {
  const res = await fetch(`${address}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  expect(res.status).toBe(200);
  const mediaType = res.headers.get('content-type')!;
  expect(mediaType).toBe('text/event-stream');
  const events: StreamEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body!) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const lines = buffer.slice(0, end).split('\n');
      buffer = buffer.slice(end + 2);
      const field = (name: string) => lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
      const name = field('event');
      if (name === undefined) continue;
      const data = field('data')!;
      const event = { event: name, data: data === '[DONE]' ? data : JSON.parse(data) };
      expect(validator.response(operationId, 200, event, mediaType), `${operationId}: ${name}`).toBeNull();
      seen.add(name);
      events.push(event);
      await onEvent?.(event);
    }
  }
  return events;
}

const names = (events: StreamEvent[]) => events.map((e) => e.event);

describe('streams from a listening server validate against the documented text/event-stream answer', () => {
  test('a text run', async () => {
    const { asst, thread } = await setUp([{ text: ['Hel', 'lo'] }]);
    const events = await stream('createRun', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    expect(names(events).slice(-3)).toEqual(['thread.run.step.completed', 'thread.run.completed', 'done']);
    expect(names(events).filter((name) => name === 'thread.message.delta')).toHaveLength(2);
  });

  test('create-thread-and-run with a function call: requires_action, then the outputs submitted, streamed', async () => {
    const { asst } = await setUp([
      { toolCalls: [{ name: 'get_weather', arguments: ['{"city":', '"Paris"}'], id: 'call_1' }] },
      { text: ['Sunny'] },
    ]);
    const calls = await stream('createThreadAndRun', '/v1/threads/runs', {
      assistant_id: asst.id,
      thread: { messages: [{ role: 'user', content: 'Weather in Paris?' }] },
    });
    expect(names(calls)[0]).toBe('thread.created');
    expect(names(calls).filter((name) => name === 'thread.run.step.delta')).toHaveLength(3);
    expect(names(calls).slice(-2)).toEqual(['thread.run.requires_action', 'done']);
    const run = calls.at(-2)!.data;
    const resumed = await stream(
      'submitToolOuputsToRun',
      `/v1/threads/${run.thread_id}/runs/${run.id}/submit_tool_outputs`,
      { tool_outputs: [{ tool_call_id: 'call_1', output: '20C' }] },
    );
    expect(names(resumed)[0]).toBe('thread.run.step.completed');
    expect(names(resumed).slice(-2)).toEqual(['thread.run.completed', 'done']);
  });

  test('failed runs send no `error` event: thread.run.failed, before text and after it', async () => {
    const { asst, thread } = await setUp([
      { status: 503, body: { error: { message: 'Down' } } },
      { text: ['Hel', 'lo', ' never sent'], faultAfter: 1 },
    ]);
    const before = await stream('createRun', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    expect(names(before)).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.failed',
      'done',
    ]);
    const after = await stream('createRun', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    expect(names(after).slice(-4)).toEqual([
      'thread.message.incomplete',
      'thread.run.step.failed',
      'thread.run.failed',
      'done',
    ]);
    expect(names([...before, ...after])).not.toContain('error');
  });

  test('a turn cut at max_completion_tokens: thread.run.incomplete', async () => {
    const { asst, thread } = await setUp([
      { text: ['long'], finish: 'length', usage: { prompt_tokens: 5, completion_tokens: 256 } },
    ]);
    const events = await stream('createRun', `/v1/threads/${thread.id}/runs`, {
      assistant_id: asst.id,
      max_completion_tokens: 256,
    });
    expect(names(events).slice(-4)).toEqual([
      'thread.message.incomplete',
      'thread.run.step.completed',
      'thread.run.incomplete',
      'done',
    ]);
  });

  test('a run cancelled while its text streams', async () => {
    const { asst, thread } = await setUp([{ text: Array(20).fill('word '), chunkDelayMs: 100 }]);
    let runId: string | undefined;
    let cancelled = false;
    const events = await stream('createRun', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id }, async (e) => {
      if (e.event === 'thread.run.created') runId = e.data.id;
      if (e.event !== 'thread.message.delta' || cancelled) return;
      cancelled = true;
      await t.ok(`/v1/threads/${thread.id}/runs/${runId}/cancel`);
    });
    expect(names(events)).toContain('thread.run.cancelling');
    expect(names(events).slice(-4)).toEqual([
      'thread.message.incomplete',
      'thread.run.step.cancelled',
      'thread.run.cancelled',
      'done',
    ]);
  });

  test('a run that expires while its text streams (RUN_EXPIRY_SECONDS)', async () => {
    // Text starts within 0.2 s and would go on for 8 s; the run expires 1 to 3 s in (the sweep runs each second).
    const { asst, thread } = await setUp([{ text: Array(80).fill('word '), chunkDelayMs: 100 }], {
      RUN_EXPIRY_SECONDS: '2',
    });
    const events = await stream('createRun', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    expect(names(events).slice(-4)).toEqual([
      'thread.message.incomplete',
      'thread.run.step.expired',
      'thread.run.expired',
      'done',
    ]);
  });

  test('together, the streams above sent every event the document describes, and no other', () => {
    expect([...seen].sort()).toEqual(documentedEvents().sort());
  });
});
