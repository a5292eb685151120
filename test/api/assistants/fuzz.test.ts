import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
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

/*
 * Property-based fuzzing of the five assistants routes, as test/fuzz.test.ts does for the others: generated
 * bodies (valid-looking settings, random JSON, broken text and bytes), queries, ids and headers. Every
 * answer is below 500, every 4xx carries the whole error envelope, /health still answers, and another
 * tenant's assistant is unchanged. FUZZ_RUNS sets the cases per route (default 2,000).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

interface Fixture {
  t: TestApp;
  ids: string[];
  bystander: string;
  snapshot: unknown;
}

const readBystander = async (t: TestApp, id: string) =>
  (
    await t.app.inject({
      method: 'GET',
      url: `/v1/assistants/${id}`,
      headers: { authorization: `Bearer ${FUZZ_BYSTANDER_KEY}` },
    })
  ).json();

async function setUp(): Promise<Fixture> {
  const t = await buildTestApp(FUZZ_ENV);
  const create = async (key: string, name: string) =>
    (
      await t.app.inject({
        method: 'POST',
        url: '/v1/assistants',
        headers: { authorization: `Bearer ${key}` },
        payload: { model: 'm', name, tools: [{ type: 'function', function: { name: 'f' } }], metadata: { k: 'v' } },
      })
    ).json().id as string;
  const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => create(FUZZ_KEY, `own ${i}`)));
  const bystander = await create(FUZZ_BYSTANDER_KEY, 'bystander');
  return { t, ids, bystander, snapshot: await readBystander(t, bystander) };
}

// ---- generators -------------------------------------------------------------------------------------

const text = fuzzText('asst_');
const anything = fuzzAnything(text);
const nested = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    anything,
    fc.dictionary(text, tie('node'), { maxKeys: 3 }),
    fc.array(tie('node')),
  ),
})).node;

const tool = fc.oneof(
  fc.record(
    { type: fc.constantFrom('code_interpreter', 'file_search', 'function', 'retrieval'), extra: anything },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    {
      type: fc.constant('file_search'),
      file_search: fc.record(
        {
          max_num_results: fc.oneof(fc.integer({ min: -2, max: 60 }), anything),
          ranking_options: fc.record(
            { ranker: fc.oneof(fc.constantFrom('auto', 'default_2024_08_21'), text), score_threshold: anything },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    {
      type: fc.constant('function'),
      function: fc.record(
        {
          name: fc.oneof(fc.stringMatching(/^[a-z_]{1,70}$/), text),
          description: anything,
          parameters: nested,
          strict: anything,
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['type'] },
  ),
);

const responseFormat = fc.oneof(
  fc.constantFrom('auto', 'text', null),
  fc.record({ type: fc.constantFrom('text', 'json_object', 'json_schema', 'x') }),
  fc.record(
    {
      type: fc.constant('json_schema'),
      json_schema: fc.record(
        { name: text, schema: nested, strict: anything, description: anything },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['type'] },
  ),
  anything,
);

const settings = fc.record(
  {
    model: fc.oneof(fc.constantFrom('gpt-4o', ''), text, anything),
    name: fc.oneof(text, fc.string({ minLength: 250, maxLength: 260 }), anything),
    description: fc.oneof(text, anything),
    instructions: fc.oneof(text, anything),
    reasoning_effort: fc.oneof(fc.constantFrom('low', 'max', 'ultra', null), anything),
    tools: fc.oneof(fc.array(tool, { maxLength: 4 }), anything),
    tool_resources: fc.oneof(
      fc.record(
        { code_interpreter: fc.record({ file_ids: fc.array(text, { maxLength: 22 }) }), file_search: anything },
        { requiredKeys: [] },
      ),
      anything,
    ),
    metadata: fc.oneof(fc.dictionary(text, text, { maxKeys: 18 }), anything),
    temperature: fc.oneof(fc.double({ min: -1, max: 3 }), anything),
    top_p: fc.oneof(fc.double({ min: -1, max: 2 }), anything),
    response_format: responseFormat,
    extra: anything,
  },
  { requiredKeys: [] },
);

const validSettings = fc.record(
  {
    model: fc.constantFrom('gpt-4o', 'llama3'),
    name: fc.oneof(fc.string({ maxLength: 20, unit: 'binary' }), fc.constant(null)),
    instructions: fc.string({ maxLength: 200, unit: 'binary' }),
    tools: fc.array(
      fc.oneof(
        fc.constant({ type: 'code_interpreter' }),
        fc.record({
          type: fc.constant('function'),
          function: fc.record({
            name: fc.stringMatching(/^[a-z_]{1,20}$/),
            parameters: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
          }),
        }),
      ),
      { maxLength: 3 },
    ),
    metadata: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    response_format: fc.constantFrom('auto', { type: 'text' }, { type: 'json_object' }),
  },
  { requiredKeys: ['model'] },
);

const id = (f: Fixture) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...f.ids) },
    { weight: 1, arbitrary: fc.constant(f.bystander) },
    { weight: 3, arbitrary: unknownId('asst', text) },
  );

const query = (f: Fixture) =>
  fc
    .record(
      {
        limit: fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), text),
        order: fc.oneof(fc.constantFrom('asc', 'desc'), text),
        after: fc.oneof(fc.constantFrom(...f.ids, f.bystander), text),
        before: fc.oneof(fc.constantFrom(...f.ids, f.bystander), text),
        'include[]': text,
      },
      { requiredKeys: [] },
    )
    .map(queryString);

const headers = betaRouteHeaders(FUZZ_KEY);

interface Route {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: (f: Fixture) => fc.Arbitrary<string>;
  body: fc.Arbitrary<unknown>;
  query?: boolean;
}

const one = (f: Fixture) => id(f).map((assistantId) => `/assistants/${assistantId}`);

const routes: Route[] = [
  {
    name: 'create assistant',
    method: 'POST',
    path: () => fc.constant('/assistants'),
    body: fc.oneof(validSettings, settings),
  },
  { name: 'list assistants', method: 'GET', path: () => fc.constant('/assistants'), body: fc.jsonValue(), query: true },
  { name: 'retrieve assistant', method: 'GET', path: one, body: fc.jsonValue() },
  { name: 'modify assistant', method: 'POST', path: one, body: fc.oneof(validSettings, settings) },
  { name: 'delete assistant', method: 'DELETE', path: one, body: fc.jsonValue() },
];

describe(`fuzzing the 5 assistants routes (${RUNS} cases each)`, () => {
  for (const route of routes) {
    test(route.name, { timeout: 60_000 + RUNS * 60 }, async () => {
      const f = await setUp();
      try {
        const request = fc.record({
          prefix: fc.constantFrom('/v1', '/openai', ''),
          path: route.path(f),
          query: route.query ? query(f) : fc.constant(''),
          headers,
          payload: wireBody(route.body),
        });
        // What a success stored reads back: no success leaves a row a later read cannot answer.
        const statuses = await fuzzRequests(f.t.app, route.method, request, RUNS, async (status, r) => {
          if (status !== 200 || route.method === 'DELETE') return;
          const read = await f.t.app.inject({ method: 'GET', url: '/v1/assistants?limit=100', headers: r.headers });
          expect(read.statusCode, read.body).toBe(200);
        });
        const health = await f.t.app.inject({ method: 'GET', url: '/health' });
        expect(health.statusCode).toBe(200);
        expect(await readBystander(f.t, f.bystander)).toEqual(f.snapshot);
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
