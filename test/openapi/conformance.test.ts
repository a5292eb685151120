import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import {
  DocumentValidator,
  loadOfficialDocument,
  operationsOf,
  type OpenApiDocument,
} from '../helpers/openapi-documents.js';
import { parseEvents, type RunsApp, startRunsApp, weatherTool } from '../helpers/runs.js';
import { runsSpec } from '../helpers/runs-schemas.js';

/*
 * What we serve, checked against two definitions: the document our code generates, and OpenAI's own
 * (test/fixtures). Real responses of every operation, driven through the app, must validate against both.
 */

const official = loadOfficialDocument();
let t: TestApp;
let ours: DocumentValidator;
let theirs: DocumentValidator;

beforeAll(async () => {
  t = await buildTestApp();
  ours = new DocumentValidator('ours', t.app.swagger() as unknown as OpenApiDocument);
  theirs = new DocumentValidator('official', official);
});
afterAll(async () => t.close());

const headers = { 'openai-beta': 'assistants=v2' };

async function call(method: InjectOptions['method'], url: string, payload?: unknown) {
  const res = await t.app.inject({
    method,
    url: `/v1${url}`,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, body: res.json() };
}

function expectConforms(operationId: string, response: { status: number; body: unknown }) {
  expect(
    ours.response(operationId, response.status, response.body),
    `ours: ${operationId} ${response.status}`,
  ).toBeNull();
  expect(
    theirs.response(operationId, response.status === 200 ? 200 : 429, response.body),
    `official: ${operationId}`,
  ).toBeNull();
}

describe('every operation answers what both definitions describe', () => {
  test('a thread with rich messages, through all 9 operations', async () => {
    const created = await call('POST', '/threads', {
      messages: [
        { role: 'user', content: 'Hello', metadata: { k: 'v' } },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
            { type: 'image_file', image_file: { file_id: 'file-abc' } },
          ],
          attachments: [{ file_id: 'file-xyz', tools: [{ type: 'code_interpreter' }, { type: 'file_search' }] }],
        },
      ],
      tool_resources: { code_interpreter: { file_ids: ['file-1'] }, file_search: { vector_store_ids: ['vs_1'] } },
      metadata: { user: 'abc' },
    });
    expect(created.status).toBe(200);
    expectConforms('createThread', created);
    const threadId = (created.body as { id: string }).id;

    const got = await call('GET', `/threads/${threadId}`);
    expectConforms('getThread', got);
    // Both validators do reject a wrong shape.
    const wrong = { ...(got.body as object), created_at: 'yesterday' };
    expect(ours.response('getThread', 200, wrong)).not.toBeNull();
    expect(theirs.response('getThread', 200, wrong)).not.toBeNull();
    expectConforms('modifyThread', await call('POST', `/threads/${threadId}`, { metadata: { modified: 'true' } }));

    const message = await call('POST', `/threads/${threadId}/messages`, {
      role: 'user',
      content: [{ type: 'text', text: 'And this?' }],
      attachments: null,
    });
    expect(message.status).toBe(200);
    expectConforms('createMessage', message);
    const messageId = (message.body as { id: string }).id;

    const list = await call('GET', `/threads/${threadId}/messages?order=asc&limit=2`);
    expect((list.body as { data: unknown[] }).data).toHaveLength(2);
    expectConforms('listMessages', list);
    expectConforms('getMessage', await call('GET', `/threads/${threadId}/messages/${messageId}`));
    expectConforms('modifyMessage', await call('POST', `/threads/${threadId}/messages/${messageId}`, { metadata: {} }));
    expectConforms('deleteMessage', await call('DELETE', `/threads/${threadId}/messages/${messageId}`));
    expectConforms('deleteThread', await call('DELETE', `/threads/${threadId}`));
  });

  test('error envelopes (400, 404, 413, 415) match the error schema of both', async () => {
    const bad = await call('POST', '/threads/thread_x/messages', { role: 'system', content: 'x' });
    const missing = await call('GET', '/threads/thread_doesnotexist');
    const tooLarge = await call('POST', '/threads', { metadata: { k: 'x'.repeat(t.config.bodyLimit) } });
    const plain = await t.app.inject({
      method: 'POST',
      url: '/v1/threads',
      headers: { 'content-type': 'text/plain' },
      payload: 'hi',
    });
    const responses = [
      ['createMessage', bad],
      ['getThread', missing],
      ['createThread', tooLarge],
      ['createThread', { status: plain.statusCode, body: plain.json() }],
    ] as const;
    expect(responses.map(([, r]) => r.status)).toEqual([400, 404, 413, 415]);
    for (const [operationId, response] of responses) {
      expect(ours.response(operationId, response.status, response.body), `ours ${response.status}`).toBeNull();
      // OpenAI declares only the 429 response, with its ErrorResponse: the envelope is the same for every error.
      expect(theirs.response(operationId, 429, response.body), `official ${response.status}`).toBeNull();
    }
  });

  test('an empty page has null first_id/last_id: ours allows it, the official schema (strings) does not', async () => {
    const thread = await call('POST', '/threads', {});
    const empty = await call('GET', `/threads/${(thread.body as { id: string }).id}/messages`);
    expect(empty.body).toMatchObject({ data: [], first_id: null, last_id: null });
    expect(ours.response('listMessages', 200, empty.body)).toBeNull();
    // The contract's decided deviation: the hosted API sent null, and the SDKs type these as nullable.
    expect(theirs.response('listMessages', 200, empty.body)?.map((e) => e.instancePath)).toEqual([
      '/first_id',
      '/last_id',
    ]);
  });
});

/** The `-d '…'` body, method and path of one of OpenAI's curl examples. */
function parseCurl(curl: string) {
  const path = /https:\/\/api\.openai\.com\/v1(\S*)/.exec(curl)![1]!.replace(/\\$/, '');
  const data = /-d '([\s\S]*?)'/.exec(curl)?.[1];
  const explicit = /-X (\w+)/.exec(curl)?.[1];
  const method = (explicit ?? (data === undefined ? 'GET' : 'POST')) as InjectOptions['method'];
  return { method, path, body: data === undefined ? undefined : data.trim() === '' ? {} : JSON.parse(data) };
}

const examples = [...operationsOf(official)].flatMap(([operationId, operation]) => {
  const raw = operation['x-oaiMeta']?.examples;
  const list = (Array.isArray(raw) ? raw : [raw]) as { title?: string; request?: { curl?: string } }[];
  return list
    .filter((example) => example?.request?.curl)
    .map((example, index) => ({
      operationId,
      name: `${operationId} #${index + 1} ${example.title ?? ''}`.trim(),
      curl: example.request!.curl!,
    }));
});

describe("OpenAI's own curl examples work against us", () => {
  test('every operation has one', () => {
    expect(new Set(examples.map((e) => e.operationId)).size).toBe(9);
  });

  test.each(examples)('$name', async ({ operationId, curl }) => {
    const thread = await call('POST', '/threads', { messages: [{ role: 'user', content: 'seed' }] });
    const threadId = (thread.body as { id: string }).id;
    const seed = await call('GET', `/threads/${threadId}/messages`);
    const messageId = (seed.body as { data: { id: string }[] }).data[0]!.id;
    const { method, path, body } = parseCurl(curl);
    const url = path.replace(/thread_abc123/g, threadId).replace(/msg_abc12\d*/g, messageId);

    if (body !== undefined) expect(ours.request(operationId, body)).toBeNull();
    const response = await call(method, url, body);
    expect(response.status).toBe(200);
    expectConforms(operationId, response);
  });
});

/*
 * A run's stream: each event a `text/event-stream` answer sends is one `{ event, data }` of our
 * AssistantStreamEvent; OpenAI's spec has that component, though its operations do not refer to it.
 */
describe("stream events: OpenAI's AssistantStreamEvent, limited to the events we send", () => {
  type Schemas = Record<string, any>;
  const GROUPS = ['ThreadStreamEvent', 'RunStreamEvent', 'RunStepStreamEvent', 'MessageStreamEvent'];
  const DELTAS = [
    'MessageDeltaObject',
    'MessageDeltaContentTextObject',
    'RunStepDeltaObject',
    'RunStepDeltaStepDetailsToolCallsObject',
    'RunStepDeltaStepDetailsToolCallsFunctionObject',
  ];
  const theirs: Schemas = runsSpec.spec.components.schemas;
  const oursOf = (): Schemas => (t.app.swagger() as unknown as OpenApiDocument).components.schemas as Schemas;

  /** Each event a group describes: its name, and the component its data is. */
  const eventsOf = (schemas: Schemas, group: string): Record<string, string> =>
    Object.fromEntries(
      schemas[group].oneOf.map((variant: Schemas) => [variant.properties.event.enum[0], variant.properties.data.$ref]),
    );

  test("each event we document is OpenAI's of that name, with the same data component; only `error` is left out", () => {
    const ours = oursOf();
    expect(ours.AssistantStreamEvent.oneOf).toEqual(
      theirs.AssistantStreamEvent.oneOf.filter((ref: Schemas) => ref.$ref !== '#/components/schemas/ErrorEvent'),
    );
    for (const group of GROUPS) {
      expect(eventsOf(ours, group), group).toEqual(eventsOf(theirs, group));
      expect(Object.keys(ours[group].oneOf[0].properties), group).toEqual(['event', 'data']);
    }
    const constants = (schema: Schemas) => ({
      event: schema.properties.event.enum,
      data: schema.properties.data.enum,
      required: schema.required,
    });
    expect(constants(ours.DoneEvent)).toEqual(constants(theirs.DoneEvent));
  });

  test("the delta objects keep to OpenAI's members, and require at least what OpenAI's do", () => {
    const ours = oursOf();
    for (const name of DELTAS) {
      expect(Object.keys(theirs[name].properties), name).toEqual(
        expect.arrayContaining(Object.keys(ours[name].properties)),
      );
      expect(ours[name].required, name).toEqual(expect.arrayContaining(theirs[name].required));
    }
  });

  describe('real streams of the three operations validate against both', () => {
    let runs: RunsApp;
    let ours: DocumentValidator;
    beforeAll(async () => {
      runs = await startRunsApp([
        { text: ['Hel', 'lo'] },
        { toolCalls: [{ name: 'get_weather', arguments: ['{"city":', '"Paris"}'], id: 'call_1' }] },
        { text: ['Sunny'] },
      ]);
      ours = new DocumentValidator('ours', runs.app.swagger() as unknown as OpenApiDocument);
    });
    afterAll(async () => runs.close());

    async function stream(operationId: string, url: string, payload: object) {
      const res = await runs.call('POST', url, { ...payload, stream: true });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/event-stream');
      const events = parseEvents(res.body);
      for (const event of events) {
        expect(ours.response(operationId, 200, event, 'text/event-stream'), `ours: ${event.event}`).toBeNull();
        runsSpec.expectConformsTo('AssistantStreamEvent', event);
      }
      return events;
    }

    test('create-thread-and-run, create run, submit tool outputs', async () => {
      const asst = await runs.ok('/v1/assistants', { model: 'gpt-4o', tools: [weatherTool] });
      const text = await stream('createThreadAndRun', '/v1/threads/runs', {
        assistant_id: asst.id,
        thread: { messages: [{ role: 'user', content: 'Hi' }] },
      });
      const thread = text[0]!.data;
      expect(text.map((e) => e.event)).toContain('thread.message.delta');
      const calls = await stream('createRun', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
      expect(calls.map((e) => e.event)).toContain('thread.run.step.delta');
      const waiting = calls.at(-2)!.data;
      expect(waiting.status).toBe('requires_action');
      const resumed = await stream(
        'submitToolOuputsToRun',
        `/v1/threads/${thread.id}/runs/${waiting.id}/submit_tool_outputs`,
        {
          tool_outputs: [{ tool_call_id: 'call_1', output: '20C' }],
        },
      );
      expect(resumed.at(-2)!.event).toBe('thread.run.completed');
    });

    test("both reject a name paired with the wrong data; only OpenAI's has the `error` event", async () => {
      const thread = await runs.ok('/v1/threads', { messages: [{ role: 'user', content: 'Hi' }] });
      const mismatched = { event: 'thread.run.created', data: thread };
      expect(ours.response('createRun', 200, mismatched, 'text/event-stream')).not.toBeNull();
      expect(runsSpec.validatorFor('AssistantStreamEvent')(mismatched)).toBe(false);
      const error = { event: 'error', data: { type: 'server_error', message: 'Down', param: null, code: null } };
      expect(ours.response('createRun', 200, error, 'text/event-stream')).not.toBeNull();
      runsSpec.expectConformsTo('AssistantStreamEvent', error);
    });
  });
});
