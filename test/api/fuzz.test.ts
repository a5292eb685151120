import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { FUZZ_BYSTANDER_KEY, FUZZ_ENV, FUZZ_KEY, fuzzRequests } from '../helpers/fuzz-requests.js';

/*
 * Property-based fuzzing of all 17 routes (threads, messages, conversations, items): generated bodies (valid-looking, random JSON, broken text and
 * bytes), queries, path ids and headers. Every answer must be below 500, every 4xx must carry the full
 * error envelope, /health must still answer, and another tenant's data written before must be unchanged.
 * FUZZ_RUNS sets the cases per route (default 2,000).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);

interface Fixture {
  t: TestApp;
  threadIds: string[];
  messageIds: string[];
  /** Each message id with its own thread's id. */
  pairs: [string, string][];
  /** The bystander tenant's data, as read before the run. */
  protectedIds: { thread: string; messages: string[] };
  snapshot: unknown;
}

async function readProtected(t: TestApp, threadId: string) {
  const headers = { authorization: `Bearer ${FUZZ_BYSTANDER_KEY}` };
  const thread = await t.app.inject({ method: 'GET', url: `/v1/threads/${threadId}`, headers });
  const messages = await t.app.inject({
    method: 'GET',
    url: `/v1/threads/${threadId}/messages?limit=100&order=asc`,
    headers,
  });
  const items = await t.app.inject({
    method: 'GET',
    url: `/v1/conversations/${threadId}/items?limit=100&order=asc`,
    headers,
  });
  return { thread: thread.json(), messages: messages.json(), items: items.json() };
}

async function setUp(): Promise<Fixture> {
  const t = await buildTestApp(FUZZ_ENV);
  const create = async (key: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/threads',
      headers: { authorization: `Bearer ${key}` },
      payload: {
        metadata: { k: 'v' },
        messages: [
          { role: 'user', content: 'hello' },
          { role: 'assistant', content: [{ type: 'text', text: 'hi' }], metadata: { m: '1' } },
        ],
      },
    });
    const threadId = res.json().id as string;
    const list = await t.app.inject({
      method: 'GET',
      url: `/v1/threads/${threadId}/messages`,
      headers: { authorization: `Bearer ${key}` },
    });
    return { threadId, messageIds: list.json().data.map((m: { id: string }) => m.id) as string[] };
  };
  const own = await Promise.all(Array.from({ length: 10 }, () => create(FUZZ_KEY)));
  const bystander = await create(FUZZ_BYSTANDER_KEY);
  return {
    t,
    threadIds: own.map((o) => o.threadId),
    messageIds: own.flatMap((o) => o.messageIds),
    pairs: own.flatMap((o) => o.messageIds.map((m): [string, string] => [o.threadId, m])),
    protectedIds: { thread: bystander.threadId, messages: bystander.messageIds },
    snapshot: await readProtected(t, bystander.threadId),
  };
}

// ---- generators -------------------------------------------------------------------------------------

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) }),
  fc.constantFrom(
    '',
    '\u0000',
    '\ud800',
    '__proto__',
    'constructor',
    'thread_',
    'msg_',
    'null',
    '1e400',
    '-1',
    '%00',
    '😀',
  ),
);

const idFor = (f: Fixture, kind: 'thread' | 'msg' | 'conv') =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...(kind === 'msg' ? f.messageIds : f.threadIds)) },
    { weight: 1, arbitrary: fc.constantFrom(f.protectedIds.thread, ...f.protectedIds.messages) },
    { weight: 1, arbitrary: fc.stringMatching(/^[0-9A-Za-z]{24}$/).map((rest) => `${kind}_${rest}`) },
    { weight: 1, arbitrary: anyText.map((s) => `${kind}_${s}`) },
    { weight: 1, arbitrary: anyText },
  );

/** A path segment: usually percent-encoded, sometimes raw and possibly broken percent-encoding. */
const segment = (id: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 4, arbitrary: id.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x')) || 'x') },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_%.~-]{1,40}$/) },
  );

const valueLike = fc.oneof(
  anyText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(9007199254740993n).map((n) => Number(n)),
  fc.jsonValue({ maxDepth: 3 }),
);

const metadataLike = fc.oneof(
  fc.dictionary(anyText, anyText, { maxKeys: 20 }),
  fc.dictionary(fc.string({ maxLength: 70 }), fc.string({ maxLength: 520 }), { maxKeys: 18 }),
  valueLike,
);

const contentPart = fc.oneof(
  fc.record({ type: fc.constant('text'), text: anyText }),
  fc.record({
    type: fc.constant('image_url'),
    image_url: fc.record(
      { url: fc.oneof(fc.webUrl(), anyText), detail: fc.constantFrom('auto', 'low', 'high', 'x') },
      { requiredKeys: ['url'] },
    ),
  }),
  fc.record({
    type: fc.constant('image_file'),
    image_file: fc.record({ file_id: anyText, detail: valueLike }, { requiredKeys: [] }),
  }),
  fc.dictionary(anyText, valueLike, { maxKeys: 3 }),
);

const validMessage = fc.record(
  {
    role: fc.constantFrom('user', 'assistant'),
    content: fc.oneof(
      fc.string({ minLength: 1, unit: 'binary' }),
      fc.array(fc.record({ type: fc.constant('text'), text: fc.string({ unit: 'binary' }) }), {
        minLength: 1,
        maxLength: 3,
      }),
    ),
    metadata: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
  },
  { requiredKeys: ['role', 'content'] },
);

const messyMessage = fc.record(
  {
    role: fc.oneof(fc.constantFrom('user', 'assistant', 'system'), valueLike),
    content: fc.oneof(anyText, fc.array(contentPart, { maxLength: 4 }), valueLike),
    attachments: fc.oneof(
      fc.array(
        fc.record({
          file_id: anyText,
          tools: fc.array(fc.record({ type: fc.constantFrom('code_interpreter', 'file_search', 'x') })),
        }),
      ),
      valueLike,
    ),
    metadata: metadataLike,
    extra: valueLike,
  },
  { requiredKeys: [] },
);

const messageLike = fc.oneof(validMessage, messyMessage);

const validThread = fc.record(
  {
    messages: fc.array(validMessage, { maxLength: 3 }),
    metadata: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
  },
  { requiredKeys: [] },
);

const messyThread = fc.record(
  {
    messages: fc.oneof(fc.array(messageLike, { maxLength: 4 }), valueLike),
    metadata: metadataLike,
    tool_resources: fc.oneof(
      fc.record(
        {
          code_interpreter: fc.record({ file_ids: fc.array(anyText, { maxLength: 22 }) }, { requiredKeys: [] }),
          file_search: fc.record({ vector_store_ids: fc.array(anyText, { maxLength: 2 }) }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
      valueLike,
    ),
    extra: valueLike,
  },
  { requiredKeys: [] },
);

const threadLike = fc.oneof(validThread, messyThread);

const otherItem = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom('message', 'function_call', 'function_call_output', 'reasoning', 'item_reference', 'x'),
      valueLike,
    ),
    id: fc.oneof(anyText, valueLike),
    role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'developer'), valueLike),
    content: fc.oneof(
      anyText,
      fc.array(fc.dictionary(anyText, valueLike, { maxKeys: 3 }), { maxLength: 3 }),
      valueLike,
    ),
    call_id: anyText,
    name: anyText,
    arguments: anyText,
    output: valueLike,
    summary: valueLike,
    status: valueLike,
  },
  { requiredKeys: ['type'] },
);
const itemLike = fc.oneof(validMessage, messyMessage, otherItem);
const itemsLike = fc.oneof(
  fc.record({ items: fc.array(itemLike, { maxLength: 22 }), metadata: metadataLike }, { requiredKeys: [] }),
  valueLike,
);

const validMetadata = fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 });
const modifyThreadLike = fc.oneof(
  fc.record(
    {
      metadata: fc.oneof(validMetadata, fc.constant(null)),
      tool_resources: fc.record(
        { code_interpreter: fc.record({ file_ids: fc.array(fc.string(), { maxLength: 3 }) }) },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  ),
  messyThread,
);
const modifyMessageLike = fc.oneof(
  fc.record({ metadata: fc.oneof(validMetadata, fc.constant(null)) }, { requiredKeys: [] }),
  messyMessage,
);

/** What goes on the wire: JSON of a generated value, a raw string, raw bytes or nothing. */
const body = (shape: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: shape.map((v) => JSON.stringify(v) ?? '') },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '{', '{"a":', '[]', 'null', '"x"', '{"__proto__":{"x":1}}', '\ufeff{}'),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const query = fc.oneof(
  fc
    .record(
      {
        limit: fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), anyText),
        order: fc.oneof(fc.constantFrom('asc', 'desc'), anyText),
        after: anyText,
        before: anyText,
        run_id: anyText,
        include: fc.oneof(fc.constantFrom('reasoning.encrypted_content', 'message.output_text.logprobs'), anyText),
        'include[]': fc.oneof(fc.constantFrom('web_search_call.results', 'code_interpreter_call.outputs'), anyText),
        other: anyText,
      },
      { requiredKeys: [] },
    )
    .map((q) =>
      Object.entries(q)
        .map(([k, v]) => `${k}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, 'x'))}`)
        .join('&'),
    ),
  fc.stringMatching(/^[A-Za-z0-9_%=&[\].+-]{0,40}$/),
);

const headerText = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const headers = fc.record(
  {
    authorization: fc.oneof(
      { weight: 8, arbitrary: fc.constant(`Bearer ${FUZZ_KEY}`) },
      { weight: 1, arbitrary: fc.constant(`Bearer ${FUZZ_BYSTANDER_KEY}x`) },
      { weight: 1, arbitrary: headerText },
    ),
    'content-type': fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
          'APPLICATION/JSON',
        ),
      },
      { weight: 1, arbitrary: headerText },
    ),
    'openai-beta': fc.oneof(
      { weight: 6, arbitrary: fc.constant('assistants=v2') },
      { weight: 1, arbitrary: fc.constantFrom('assistants=v1', 'x, assistants=v1') },
      { weight: 1, arbitrary: headerText },
    ),
    accept: fc.constantFrom('application/json', '*/*', 'text/html'),
    'x-stainless-lang': headerText,
  },
  { requiredKeys: ['authorization'] },
);

// ---- the properties -----------------------------------------------------------------------------------

interface Route {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: (f: Fixture) => fc.Arbitrary<string>;
  body: fc.Arbitrary<unknown>;
  query?: boolean;
}

const threadPath = (f: Fixture) => segment(idFor(f, 'thread')).map((id) => `/threads/${id}`);
/** A message's path under its thread or conversation: mostly a stored pair, else ids of the two kinds, real or not. */
const childPath = (f: Fixture, parent: 'thread' | 'conv', path: (parentId: string, messageId: string) => string) =>
  fc
    .oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom(...f.pairs).map(([t, m]) => [encodeURIComponent(t), encodeURIComponent(m)] as const),
      },
      { weight: 2, arbitrary: fc.tuple(segment(idFor(f, parent)), segment(idFor(f, 'msg'))) },
    )
    .map(([t, m]) => path(t, m));
const messagePath = (f: Fixture) => childPath(f, 'thread', (t, m) => `/threads/${t}/messages/${m}`);

const conversationPath = (f: Fixture) =>
  fc.oneof(segment(idFor(f, 'thread')), segment(idFor(f, 'conv'))).map((id) => `/conversations/${id}`);
const itemPath = (f: Fixture) => childPath(f, 'conv', (c, i) => `/conversations/${c}/items/${i}`);

const routes: Route[] = [
  { name: 'create thread', method: 'POST', path: () => fc.constant('/threads'), body: threadLike },
  { name: 'retrieve thread', method: 'GET', path: threadPath, body: fc.jsonValue() },
  { name: 'modify thread', method: 'POST', path: threadPath, body: modifyThreadLike },
  { name: 'delete thread', method: 'DELETE', path: threadPath, body: fc.jsonValue() },
  { name: 'create message', method: 'POST', path: (f) => threadPath(f).map((p) => `${p}/messages`), body: messageLike },
  {
    name: 'list messages',
    method: 'GET',
    path: (f) => threadPath(f).map((p) => `${p}/messages`),
    body: fc.jsonValue(),
    query: true,
  },
  { name: 'retrieve message', method: 'GET', path: messagePath, body: fc.jsonValue() },
  { name: 'modify message', method: 'POST', path: messagePath, body: modifyMessageLike },
  { name: 'delete message', method: 'DELETE', path: messagePath, body: fc.jsonValue() },
  { name: 'create conversation', method: 'POST', path: () => fc.constant('/conversations'), body: itemsLike },
  { name: 'retrieve conversation', method: 'GET', path: conversationPath, body: fc.jsonValue() },
  { name: 'update conversation', method: 'POST', path: conversationPath, body: fc.oneof(modifyMessageLike, itemsLike) },
  { name: 'delete conversation', method: 'DELETE', path: conversationPath, body: fc.jsonValue() },
  {
    name: 'create items',
    method: 'POST',
    path: (f) => conversationPath(f).map((p) => `${p}/items`),
    body: itemsLike,
    query: true,
  },
  {
    name: 'list items',
    method: 'GET',
    path: (f) => conversationPath(f).map((p) => `${p}/items`),
    body: fc.jsonValue(),
    query: true,
  },
  { name: 'retrieve item', method: 'GET', path: itemPath, body: fc.jsonValue(), query: true },
  { name: 'delete item', method: 'DELETE', path: itemPath, body: fc.jsonValue() },
];

describe(`fuzzing all 17 routes (${RUNS} cases each)`, () => {
  for (const route of routes) {
    test(route.name, { timeout: 60_000 + RUNS * 60 }, async () => {
      const f = await setUp();
      try {
        const request = fc.record({
          prefix: fc.constantFrom('/v1', ''),
          path: route.path(f),
          query: route.query ? query : fc.constant(''),
          headers,
          payload: body(route.body),
        });
        const statuses = await fuzzRequests(f.t.app, route.method, request, RUNS);
        const health = await f.t.app.inject({ method: 'GET', url: '/health' });
        expect(health.statusCode).toBe(200);
        expect(await readProtected(f.t, f.protectedIds.thread)).toEqual(f.snapshot);
        // The run must have reached the handlers, not only the early refusals.
        expect(
          [...statuses.keys()].some((s) => s === 200 || s === 404),
          JSON.stringify([...statuses]),
        ).toBe(true);
      } finally {
        await f.t.close();
      }
    });
  }
});
