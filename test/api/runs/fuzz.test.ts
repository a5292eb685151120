import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  betaRouteHeaders,
  FUZZ_BYSTANDER_KEY,
  FUZZ_ENV,
  FUZZ_KEY,
  fuzzAnything,
  fuzzRequests,
  fuzzText,
  queryString,
  unknownId,
  wireBody,
} from '../../helpers/fuzz-requests.js';
import { scriptedModel } from '../../helpers/run-script.js';
import { type RunsApp, startRunsApp, weatherTool } from '../../helpers/runs.js';

/*
 * Property-based fuzzing of the nine run routes, as test/api/fuzz.test.ts does for threads and messages:
 * generated bodies (valid-looking runs, random JSON, broken text and bytes), queries, ids and headers, over
 * an app whose runs execute on the scripted upstream. Every answer is below 500, every 4xx carries the whole
 * error envelope, /health still answers, and another tenant's run is unchanged. Runs start model turns, so
 * the default is a modest 150 cases a route (FUZZ_RUNS sets it).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

interface Fixture {
  t: RunsApp;
  assistants: string[];
  threads: string[];
  runs: string[];
  steps: string[];
  /** Each run with its thread. */
  pairs: [string, string][];
  bystander: { thread: string; run: string };
  snapshot: unknown;
}

const as = (key: string) => ({ authorization: `Bearer ${key}` });

const readBystander = async (f: Pick<Fixture, 't' | 'bystander'>) =>
  f.t.get(`/v1/threads/${f.bystander.thread}/runs/${f.bystander.run}`, as(FUZZ_BYSTANDER_KEY));

async function setUp(): Promise<Fixture> {
  // A fuzzed run may have no message at all: it gets a greeting.
  const t = await startRunsApp(
    (request) => (request.body.messages.length === 0 ? { text: ['Hi'] } : scriptedModel(request)),
    FUZZ_ENV,
  );
  const assistant = await t.ok('/v1/assistants', { model: 'gpt-4o', tools: [weatherTool] }, as(FUZZ_KEY));
  const threads: string[] = [];
  const pairs: [string, string][] = [];
  const steps: string[] = [];
  // A finished run (with a step), and one waiting for tool outputs, each on a thread of its own.
  for (const content of ['Hello', 'The weather?']) {
    const run = await t.ok(
      '/v1/threads/runs',
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content }] } },
      as(FUZZ_KEY),
    );
    await t.waitFor(run.thread_id, run.id, ['completed', 'requires_action'], as(FUZZ_KEY));
    const listed = await t.get(`/v1/threads/${run.thread_id}/runs/${run.id}/steps`, as(FUZZ_KEY));
    steps.push(...listed.data.map((step: { id: string }) => step.id));
    threads.push(run.thread_id);
    pairs.push([run.thread_id, run.id]);
  }
  threads.push((await t.ok('/v1/threads', {}, as(FUZZ_KEY))).id);
  const other = await t.ok('/v1/assistants', { model: 'gpt-4o' }, as(FUZZ_BYSTANDER_KEY));
  const otherRun = await t.ok(
    '/v1/threads/runs',
    { assistant_id: other.id, thread: { messages: [{ role: 'user', content: 'Hello' }] } },
    as(FUZZ_BYSTANDER_KEY),
  );
  const bystander = { thread: otherRun.thread_id, run: otherRun.id };
  await t.waitFor(bystander.thread, bystander.run, ['completed'], as(FUZZ_BYSTANDER_KEY));
  return {
    t,
    assistants: [assistant.id, other.id],
    threads: [...threads, bystander.thread],
    runs: [...pairs.map(([, run]) => run), bystander.run],
    steps,
    pairs,
    bystander,
    snapshot: await readBystander({ t, bystander }),
  };
}

// ---- generators -------------------------------------------------------------------------------------

const text = fuzzText('run_', 'thread_');
const anything = fuzzAnything(text);

const tool = fc.oneof(
  fc.constant(weatherTool),
  fc.record(
    { type: fc.constantFrom('code_interpreter', 'file_search', 'function', 'x'), extra: anything },
    { requiredKeys: ['type'] },
  ),
  fc.record({
    type: fc.constant('function'),
    function: fc.record({ name: text, parameters: anything }, { requiredKeys: [] }),
  }),
);

const message = fc.oneof(
  fc.record({ role: fc.constantFrom('user', 'assistant'), content: fc.oneof(fc.string({ maxLength: 40 }), anything) }),
  anything,
);

const runBody = (f: Fixture) =>
  fc.record(
    {
      assistant_id: fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...f.assistants) },
        { weight: 1, arbitrary: text },
      ),
      model: fc.oneof(fc.constantFrom('gpt-4o', null), anything),
      instructions: fc.oneof(fc.string({ maxLength: 40 }), anything),
      additional_instructions: fc.oneof(fc.string({ maxLength: 40 }), anything),
      additional_messages: fc.oneof(fc.array(message, { maxLength: 3 }), anything),
      thread: fc.oneof(
        fc.record({ messages: fc.array(message, { maxLength: 2 }), metadata: anything }, { requiredKeys: [] }),
        anything,
      ),
      tools: fc.oneof(fc.array(tool, { maxLength: 3 }), anything),
      metadata: fc.oneof(fc.dictionary(text, text, { maxKeys: 18 }), anything),
      temperature: fc.oneof(fc.double({ min: -1, max: 3 }), anything),
      top_p: fc.oneof(fc.double({ min: -1, max: 2 }), anything),
      stream: fc.oneof({ weight: 3, arbitrary: fc.boolean() }, { weight: 1, arbitrary: anything }),
      max_prompt_tokens: fc.oneof(fc.integer({ min: -5, max: 1000 }), anything),
      max_completion_tokens: fc.oneof(fc.integer({ min: -5, max: 1000 }), anything),
      truncation_strategy: fc.oneof(
        fc.record({
          type: fc.constantFrom('auto', 'last_messages', 'x'),
          last_messages: fc.oneof(fc.integer({ min: -2, max: 5 }), anything),
        }),
        anything,
      ),
      tool_choice: fc.oneof(
        fc.constantFrom('auto', 'none', 'required', 'x'),
        fc.record(
          {
            type: fc.constantFrom('function', 'file_search', 'x'),
            function: fc.record({ name: fc.oneof(fc.constant('get_weather'), text) }),
          },
          { requiredKeys: ['type'] },
        ),
        anything,
      ),
      parallel_tool_calls: anything,
      response_format: fc.oneof(fc.constantFrom('auto', { type: 'text' }, { type: 'json_object' }), anything),
      extra: anything,
    },
    { requiredKeys: [] },
  );

/** Bodies the handlers accept, so the fuzzing reaches past validation into the runs themselves. */
const validRun = (f: Fixture) =>
  fc.record(
    {
      assistant_id: fc.constant(f.assistants[0]!),
      instructions: fc.string({ maxLength: 40 }),
      additional_messages: fc.array(fc.record({ role: fc.constant('user'), content: fc.string({ maxLength: 40 }) }), {
        maxLength: 2,
      }),
      metadata: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
      temperature: fc.double({ min: 0, max: 2, noNaN: true }),
      stream: fc.boolean(),
    },
    { requiredKeys: ['assistant_id'] },
  );

/**
 * Valid bodies three times out of four: headers and the wire's mangling refuse most of them before the
 * handler, and a route's 150 cases must still bring a few runs through it.
 */
const mostlyValid = (valid: fc.Arbitrary<unknown>, other: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: other });

const validOutputs = fc.record({
  tool_outputs: fc.constant([{ tool_call_id: 'call_0', output: 'sunny' }]),
  stream: fc.boolean(),
});

const toolOutputs = fc.record(
  {
    tool_outputs: fc.oneof(
      fc.array(
        fc.record(
          { tool_call_id: fc.oneof(fc.constant('call_0'), text), output: fc.oneof(fc.string(), anything) },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      anything,
    ),
    stream: fc.oneof(fc.boolean(), anything),
    extra: anything,
  },
  { requiredKeys: [] },
);

const pick = (ids: string[], prefix: string) =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: unknownId(prefix, text) });

const thread = (f: Fixture) => pick(f.threads, 'thread');
/** A run under its own thread mostly, else mixed or made up. */
const runPath = (f: Fixture) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...f.pairs).map(([t, r]) => `/threads/${t}/runs/${r}`) },
    { weight: 1, arbitrary: fc.tuple(thread(f), pick(f.runs, 'run')).map(([t, r]) => `/threads/${t}/runs/${r}`) },
  );

const query = (f: Fixture) =>
  fc
    .record(
      {
        limit: fc.oneof(
          { weight: 3, arbitrary: fc.integer({ min: 1, max: 100 }).map(String) },
          { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), text) },
        ),
        order: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('asc', 'desc') }, { weight: 1, arbitrary: text }),
        after: fc.oneof(fc.constantFrom(...f.runs, ...f.steps), text),
        before: fc.oneof(fc.constantFrom(...f.runs, ...f.steps), text),
        'include[]': text,
      },
      { requiredKeys: [] },
    )
    // Half the lists ask for the first page, which the handler answers.
    .chain((q) => fc.constantFrom(q, { limit: q.limit ?? '20', order: q.order ?? 'desc' }))
    .map(queryString);

const headers = betaRouteHeaders(FUZZ_KEY);

interface Route {
  name: string;
  method: 'GET' | 'POST';
  path: (f: Fixture) => fc.Arbitrary<string>;
  body: (f: Fixture) => fc.Arbitrary<unknown>;
  query?: boolean;
}

const routes: Route[] = [
  {
    name: 'create run',
    method: 'POST',
    path: (f) => thread(f).map((t) => `/threads/${t}/runs`),
    body: (f) => mostlyValid(validRun(f), runBody(f)),
  },
  {
    name: 'create thread and run',
    method: 'POST',
    path: () => fc.constant('/threads/runs'),
    // Its thread's messages go in `thread`: `additional_messages` is not one of its parameters.
    body: (f) =>
      mostlyValid(
        validRun(f).map(({ additional_messages: _, ...run }) => run),
        runBody(f),
      ),
  },
  {
    name: 'list runs',
    method: 'GET',
    path: (f) => thread(f).map((t) => `/threads/${t}/runs`),
    body: () => fc.jsonValue(),
    query: true,
  },
  { name: 'retrieve run', method: 'GET', path: runPath, body: () => fc.jsonValue() },
  {
    name: 'modify run',
    method: 'POST',
    path: runPath,
    body: () => fc.record({ metadata: anything, extra: anything }, { requiredKeys: [] }),
  },
  { name: 'cancel run', method: 'POST', path: (f) => runPath(f).map((p) => `${p}/cancel`), body: () => fc.jsonValue() },
  {
    name: 'submit tool outputs',
    method: 'POST',
    path: (f) => runPath(f).map((p) => `${p}/submit_tool_outputs`),
    body: () => fc.oneof(validOutputs, toolOutputs),
  },
  {
    name: 'list run steps',
    method: 'GET',
    path: (f) => runPath(f).map((p) => `${p}/steps`),
    body: () => fc.jsonValue(),
    query: true,
  },
  {
    name: 'retrieve run step',
    method: 'GET',
    path: (f) => fc.tuple(runPath(f), pick(f.steps, 'step')).map(([p, s]) => `${p}/steps/${s}`),
    body: () => fc.jsonValue(),
  },
];

describe(`fuzzing the 9 run routes (${RUNS} cases each)`, () => {
  for (const route of routes) {
    test(route.name, { timeout: 60_000 + RUNS * 200 }, async () => {
      const f = await setUp();
      try {
        const request = fc.record({
          prefix: fc.constantFrom('/v1', '/openai', ''),
          path: route.path(f),
          query: route.query ? query(f) : fc.constant(''),
          headers,
          payload: wireBody(route.body(f)),
        });
        const statuses = await fuzzRequests(f.t.app, route.method, request, RUNS);
        const health = await f.t.app.inject({ method: 'GET', url: '/health' });
        expect(health.statusCode).toBe(200);
        expect(await readBystander(f)).toEqual(f.snapshot);
        // The run must have reached the handlers, not only the early refusals.
        expect(
          [...statuses.keys()].some((s) => s === 200),
          JSON.stringify([...statuses]),
        ).toBe(true);
      } finally {
        await f.t.close();
      }
    });
  }
});
