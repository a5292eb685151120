import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/app.js';
import { recordRequests } from '../helpers/request-recorder.js';
import { AZURE_API_VERSION, type LoadedSdk, type SdkClient, sdkFlavours } from '../helpers/sdk-clients.js';

/*
 * One suite over every openai-node major (4, 5, 6, 7), each as `OpenAI` and as `AzureOpenAI`, against a
 * listening server with API keys of two tenants. A major the running Node cannot run is skipped, saying why.
 */

const KEY = 'sk-acme-0123456789abcdefWXYZ';
const OTHER_TENANT_KEY = 'sk-globex-9876543210zyxwvuts';
const WRONG_KEY = 'sk-wrong-00000000000000000000';

const THREAD_ID = /^thread_[0-9A-Za-z]{24}$/;
const MESSAGE_ID = /^msg_[0-9A-Za-z]{24}$/;
const REQUEST_ID = /^req_[0-9a-f]{32}$/;

const now = () => Math.floor(Date.now() / 1000);

const text = (value: string) => ({ type: 'text', text: { value, annotations: [] } });

for (const flavour of sdkFlavours.filter((f) => f.unsupported !== undefined)) {
  it(`${flavour.name}: skipped on this Node`, (ctx) => ctx.skip(flavour.unsupported));
}

describe.each(sdkFlavours.filter((f) => f.unsupported === undefined))('$name', (flavour) => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let recorder: ReturnType<typeof recordRequests>;
  let loaded: LoadedSdk;
  let sdk: SdkClient;
  const connect = (apiKey: string, variant = false) => loaded.connect({ origin: server.baseURL, apiKey, variant });

  beforeAll(async () => {
    server = await startTestServer({ API_KEYS: `acme:${KEY},globex:${OTHER_TENANT_KEY}` });
    recorder = recordRequests(server.app.server);
    loaded = await flavour.load();
    sdk = connect(KEY);
  });
  afterAll(async () => server.close());
  beforeEach(() => recorder.clear());

  /** Awaits a call that must fail, and checks the SDK's error object field by field against the envelope. */
  async function expectApiError(
    call: Promise<unknown>,
    errorClass: keyof SdkClient['errors'],
    status: number,
    envelope: { message: string; param: string | null; code: string | null },
  ) {
    const error = await call.then(
      () => {
        throw new Error('the call succeeded but should have failed');
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(sdk.errors[errorClass]);
    expect(error).toBeInstanceOf(sdk.errors.APIError);
    const apiError = error as Error & { status: number; error: unknown; code: unknown; param: unknown; type: unknown };
    const body = { type: 'invalid_request_error', ...envelope };
    expect(apiError.status).toBe(status);
    expect(apiError.message).toBe(`${status} ${envelope.message}`);
    expect(apiError.error).toEqual(body);
    expect(apiError.code).toBe(envelope.code);
    expect(apiError.param).toBe(envelope.param);
    expect(apiError.type).toBe('invalid_request_error');
    expect(sdk.requestIdOf(error)).toMatch(REQUEST_ID);
  }

  it('creates, retrieves, updates and deletes a thread', async () => {
    const before = now();
    const thread = await sdk.threads.create({
      metadata: { project: 'demo', owner: 'ana' },
      tool_resources: { code_interpreter: { file_ids: ['file_abc'] } },
    });
    expect(thread).toEqual({
      id: expect.stringMatching(THREAD_ID),
      object: 'thread',
      created_at: expect.any(Number),
      metadata: { project: 'demo', owner: 'ana' },
      tool_resources: { code_interpreter: { file_ids: ['file_abc'] } },
    });
    expect(Number.isInteger(thread.created_at)).toBe(true);
    expect(thread.created_at).toBeGreaterThanOrEqual(before);
    expect(thread.created_at).toBeLessThanOrEqual(now());

    expect(await sdk.threads.retrieve(thread.id)).toEqual(thread);

    const renamed = await sdk.threads.update(thread.id, { metadata: { project: 'renamed' } });
    expect(renamed).toEqual({ ...thread, metadata: { project: 'renamed' } });
    expect(await sdk.threads.retrieve(thread.id)).toEqual(renamed);

    const cleared = await sdk.threads.update(thread.id, { metadata: {} });
    expect(cleared.metadata).toEqual({});
    expect(cleared.tool_resources).toEqual(thread.tool_resources);

    expect(await sdk.threads.delete(thread.id)).toEqual({ id: thread.id, object: 'thread.deleted', deleted: true });
    await expectApiError(sdk.threads.retrieve(thread.id), 'NotFoundError', 404, {
      message: `No thread found with id '${thread.id}'.`,
      param: null,
      code: null,
    });
  });

  it('creates a thread with no body at all', async () => {
    const thread = await sdk.threads.create();
    expect(thread).toEqual({
      id: expect.stringMatching(THREAD_ID),
      object: 'thread',
      created_at: expect.any(Number),
      metadata: {},
      tool_resources: {},
    });
  });

  it('creates a message with all 14 fields and string content normalised to a text part', async () => {
    const thread = await sdk.threads.create();
    const before = now();
    const message = await sdk.messages.create(thread.id, { role: 'user', content: 'Hello there' });
    expect(message).toEqual({
      id: expect.stringMatching(MESSAGE_ID),
      object: 'thread.message',
      created_at: expect.any(Number),
      thread_id: thread.id,
      status: 'completed',
      incomplete_details: null,
      completed_at: message.created_at,
      incomplete_at: null,
      role: 'user',
      content: [text('Hello there')],
      assistant_id: null,
      run_id: null,
      attachments: [],
      metadata: {},
    });
    expect(Object.keys(message)).toHaveLength(14);
    expect(Number.isInteger(message.created_at)).toBe(true);
    expect(message.created_at).toBeGreaterThanOrEqual(before);
    expect(message.created_at).toBeLessThanOrEqual(now());
  });

  it('creates a message from parts, with attachments, and reads it back the same', async () => {
    const thread = await sdk.threads.create();
    const message = await sdk.messages.create(thread.id, {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Look at these' },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        { type: 'image_file', image_file: { file_id: 'file_img', detail: 'low' } },
      ],
      attachments: [{ file_id: 'file_doc', tools: [{ type: 'file_search' }, { type: 'code_interpreter' }] }],
      metadata: { source: 'sdk' },
    });
    expect(message.role).toBe('assistant');
    expect(message.content).toEqual([
      text('Look at these'),
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'auto' } },
      { type: 'image_file', image_file: { file_id: 'file_img', detail: 'low' } },
    ]);
    expect(message.attachments).toEqual([
      { file_id: 'file_doc', tools: [{ type: 'file_search' }, { type: 'code_interpreter' }] },
    ]);
    expect(message.metadata).toEqual({ source: 'sdk' });
    expect(await sdk.messages.retrieve(thread.id, message.id)).toEqual(message);
  });

  it('updates a message by replacing its metadata, then deletes it', async () => {
    const thread = await sdk.threads.create();
    const message = await sdk.messages.create(thread.id, { role: 'user', content: 'x', metadata: { a: '1', b: '2' } });

    const updated = await sdk.messages.update(thread.id, message.id, { metadata: { c: '3' } });
    expect(updated).toEqual({ ...message, metadata: { c: '3' } });
    expect(await sdk.messages.retrieve(thread.id, message.id)).toEqual(updated);
    expect((await sdk.messages.update(thread.id, message.id, { metadata: null })).metadata).toEqual({});

    expect(await sdk.messages.delete(thread.id, message.id)).toEqual({
      id: message.id,
      object: 'thread.message.deleted',
      deleted: true,
    });
    await expectApiError(sdk.messages.retrieve(thread.id, message.id), 'NotFoundError', 404, {
      message: `No message found with id '${message.id}'.`,
      param: null,
      code: null,
    });
    expect((await sdk.messages.list(thread.id)).data).toEqual([]);
  });

  it('lists the messages a thread was created with, in order, and deletes them with the thread', async () => {
    const thread = await sdk.threads.create({
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: [{ type: 'text', text: 'second' }] },
      ],
    });
    const page = await sdk.messages.list(thread.id, { order: 'asc' });
    expect(page.data.map((m) => [m.role, m.content, m.thread_id])).toEqual([
      ['user', [text('first')], thread.id],
      ['assistant', [text('second')], thread.id],
    ]);
    expect(page.has_more).toBe(false);
    expect(page.hasNextPage()).toBe(false);

    await sdk.threads.delete(thread.id);
    const [first] = page.data;
    await expectApiError(sdk.messages.retrieve(thread.id, first!.id), 'NotFoundError', 404, {
      message: `No thread found with id '${thread.id}'.`,
      param: null,
      code: null,
    });
  });

  describe('pagination', () => {
    const COUNT = 7;
    const LIMIT = 3;
    let threadId: string;
    let createdIds: string[];

    beforeAll(async () => {
      threadId = (await sdk.threads.create()).id;
      createdIds = [];
      for (let i = 0; i < COUNT; i++) {
        createdIds.push((await sdk.messages.create(threadId, { role: 'user', content: `message ${i}` })).id);
      }
    });

    const listRequests = () =>
      recorder.requests.filter(
        (r) => r.method === 'GET' && r.url.startsWith(`${flavour.prefix}/threads/${threadId}/messages?`),
      );

    it.each(['asc', 'desc'] as const)(
      'for await visits every message once, in %s order, over several pages',
      async (order) => {
        const seen: string[] = [];
        for await (const message of sdk.messages.list(threadId, { limit: LIMIT, order })) seen.push(message.id);
        expect(seen).toEqual(order === 'asc' ? createdIds : [...createdIds].reverse());

        const requests = listRequests();
        expect(requests).toHaveLength(Math.ceil(COUNT / LIMIT));
        expect(requests.every((r) => r.status === 200)).toBe(true);
        const afters = requests.map((r) => new URL(r.url, 'http://x').searchParams.get('after'));
        const expectedOrder = order === 'asc' ? createdIds : [...createdIds].reverse();
        expect(afters).toEqual([null, expectedOrder[LIMIT - 1], expectedOrder[2 * LIMIT - 1]]);
      },
    );

    it.each(['asc', 'desc'] as const)('getNextPage walks %s pages until hasNextPage is false', async (order) => {
      let page = await sdk.messages.list(threadId, { limit: LIMIT, order });
      const pages = [page];
      while (page.hasNextPage()) {
        page = await page.getNextPage();
        pages.push(page);
      }
      expect(pages.map((p) => p.data.length)).toEqual([3, 3, 1]);
      expect(pages.map((p) => p.has_more)).toEqual([true, true, false]);
      const expectedOrder = order === 'asc' ? createdIds : [...createdIds].reverse();
      expect(pages.flatMap((p) => p.data.map((m) => m.id))).toEqual(expectedOrder);
    });

    it('stops after a last page that is exactly full', async () => {
      let page = await sdk.messages.list(threadId, { limit: COUNT, order: 'asc' });
      expect(page.data.map((m) => m.id)).toEqual(createdIds);
      expect(page.has_more).toBe(false);
      expect(page.hasNextPage()).toBe(false);
      page = await sdk.messages.list(threadId, { limit: COUNT - 1, order: 'asc' });
      expect(page.hasNextPage()).toBe(true);
      const last = await page.getNextPage();
      expect(last.data.map((m) => m.id)).toEqual([createdIds[COUNT - 1]]);
      expect(last.hasNextPage()).toBe(false);
    });
  });

  describe('errors', () => {
    it('a missing thread is NotFoundError on every thread-scoped call', async () => {
      const missing = 'thread_000000000000000000000000';
      const envelope = { message: `No thread found with id '${missing}'.`, param: null, code: null };
      await expectApiError(sdk.threads.retrieve(missing), 'NotFoundError', 404, envelope);
      await expectApiError(sdk.threads.update(missing, { metadata: {} }), 'NotFoundError', 404, envelope);
      await expectApiError(sdk.threads.delete(missing), 'NotFoundError', 404, envelope);
      await expectApiError(
        sdk.messages.create(missing, { role: 'user', content: 'x' }),
        'NotFoundError',
        404,
        envelope,
      );
      await expectApiError(Promise.resolve(sdk.messages.list(missing)), 'NotFoundError', 404, envelope);
    });

    it('a missing message is NotFoundError with its id', async () => {
      const thread = await sdk.threads.create();
      const missing = 'msg_000000000000000000000000';
      const envelope = { message: `No message found with id '${missing}'.`, param: null, code: null };
      await expectApiError(sdk.messages.retrieve(thread.id, missing), 'NotFoundError', 404, envelope);
      await expectApiError(sdk.messages.update(thread.id, missing, { metadata: {} }), 'NotFoundError', 404, envelope);
      await expectApiError(sdk.messages.delete(thread.id, missing), 'NotFoundError', 404, envelope);
    });

    it('a bad role is BadRequestError with param and code', async () => {
      const thread = await sdk.threads.create();
      await expectApiError(
        sdk.messages.create(thread.id, { role: 'system' as 'user', content: 'x' }),
        'BadRequestError',
        400,
        {
          message: "Invalid value: 'system'. Supported values are: 'user' and 'assistant'.",
          param: 'role',
          code: 'invalid_value',
        },
      );
    });

    it('an unknown parameter is BadRequestError naming its path', async () => {
      const thread = await sdk.threads.create();
      const body = { role: 'user', content: 'x', file_ids: ['file_1'] } as unknown as { role: 'user'; content: string };
      await expectApiError(sdk.messages.create(thread.id, body), 'BadRequestError', 400, {
        message: "Unknown parameter: 'file_ids'.",
        param: 'file_ids',
        code: 'unknown_parameter',
      });
      const threadBody = { messages: [{ role: 'user', content: 'x', file_ids: [] }] } as unknown as Parameters<
        SdkClient['threads']['create']
      >[0];
      await expectApiError(sdk.threads.create(threadBody), 'BadRequestError', 400, {
        message: "Unknown parameter: 'messages[0].file_ids'.",
        param: 'messages[0].file_ids',
        code: 'unknown_parameter',
      });
    });

    it('an id with the wrong prefix is BadRequestError on thread_id', async () => {
      await expectApiError(sdk.threads.retrieve('abc'), 'BadRequestError', 400, {
        message: "Invalid 'thread_id': 'abc'. Expected an ID that begins with 'thread'.",
        param: 'thread_id',
        code: 'invalid_value',
      });
    });
  });

  describe('keys and tenants', () => {
    it('a wrong key is AuthenticationError with the key masked', async () => {
      const masked = `${WRONG_KEY.slice(0, 8)}${'*'.repeat(WRONG_KEY.length - 12)}${WRONG_KEY.slice(-4)}`;
      await expectApiError(connect(WRONG_KEY).threads.create(), 'AuthenticationError', 401, {
        message: `Incorrect API key provided: ${masked}.`,
        param: null,
        code: 'invalid_api_key',
      });
    });

    it("another tenant's thread and message are NotFoundError on every operation, and its own threads stay its own", async () => {
      const thread = await sdk.threads.create({ messages: [{ role: 'user', content: 'acme only' }] });
      const [message] = (await sdk.messages.list(thread.id)).data;
      const intruder = connect(OTHER_TENANT_KEY);
      const noThread = { message: `No thread found with id '${thread.id}'.`, param: null, code: null };
      await expectApiError(intruder.threads.retrieve(thread.id), 'NotFoundError', 404, noThread);
      await expectApiError(
        intruder.threads.update(thread.id, { metadata: { hacked: 'yes' } }),
        'NotFoundError',
        404,
        noThread,
      );
      await expectApiError(intruder.threads.delete(thread.id), 'NotFoundError', 404, noThread);
      await expectApiError(
        intruder.messages.create(thread.id, { role: 'user', content: 'x' }),
        'NotFoundError',
        404,
        noThread,
      );
      await expectApiError(Promise.resolve(intruder.messages.list(thread.id)), 'NotFoundError', 404, noThread);
      await expectApiError(intruder.messages.retrieve(thread.id, message!.id), 'NotFoundError', 404, noThread);
      await expectApiError(
        intruder.messages.update(thread.id, message!.id, { metadata: {} }),
        'NotFoundError',
        404,
        noThread,
      );
      await expectApiError(intruder.messages.delete(thread.id, message!.id), 'NotFoundError', 404, noThread);

      // Inside the intruder's own thread, the message id names nothing.
      const theirs = await intruder.threads.create({ metadata: { owner: 'globex' } });
      await expectApiError(intruder.messages.retrieve(theirs.id, message!.id), 'NotFoundError', 404, {
        message: `No message found with id '${message!.id}'.`,
        param: null,
        code: null,
      });
      expect(await intruder.threads.retrieve(theirs.id)).toEqual(theirs);
      await expectApiError(sdk.threads.retrieve(theirs.id), 'NotFoundError', 404, {
        message: `No thread found with id '${theirs.id}'.`,
        param: null,
        code: null,
      });
      expect((await sdk.messages.list(thread.id)).data).toEqual([message]);
    });
  });

  it('sends its usual headers and bodies, and every request is answered as sent', async () => {
    const thread = await sdk.threads.create();
    const message = await sdk.messages.create(thread.id, { role: 'user', content: 'hi' });
    await sdk.threads.retrieve(thread.id);
    await sdk.messages.list(thread.id);
    await sdk.messages.retrieve(thread.id, message.id);
    const updateBody = { metadata: { k: 'v' } };
    await sdk.messages.update(thread.id, message.id, updateBody);
    await sdk.messages.delete(thread.id, message.id);
    await sdk.threads.delete(thread.id);

    const { requests } = recorder;
    expect(requests.map((r) => `${r.method} ${r.status}`)).toEqual([
      'POST 200',
      'POST 200',
      'GET 200',
      'GET 200',
      'GET 200',
      'POST 200',
      'DELETE 200',
      'DELETE 200',
    ]);
    // v4 sends a JSON content type on every request and pretty-prints bodies.
    const v4 = flavour.major === 4;
    for (const request of requests) {
      const url = new URL(request.url, 'http://x');
      expect(url.pathname.startsWith(`${flavour.prefix}/threads`)).toBe(true);
      expect(request.headers['openai-beta']).toBe('assistants=v2');
      // AzureOpenAI sends its key as api-key instead of Authorization, and api-version on every request.
      expect(request.headers.authorization).toBe(flavour.azure ? undefined : `Bearer ${KEY}`);
      expect(request.headers['api-key']).toBe(flavour.azure ? KEY : undefined);
      expect(url.searchParams.getAll('api-version')).toEqual(flavour.azure ? [AZURE_API_VERSION] : []);
      if (request.method !== 'POST') {
        expect(request.headers['content-type']).toBe(v4 ? 'application/json' : undefined);
        expect(request.headers['content-length'] ?? '0').toBe('0');
      }
    }
    const update = requests[5]!;
    expect(update.headers['content-type']).toBe('application/json');
    expect(Number(update.headers['content-length'])).toBe(
      Buffer.byteLength(JSON.stringify(updateBody, null, v4 ? 2 : undefined)),
    );
  });

  it(
    flavour.azure
      ? 'works with the endpoint ending in a slash, as the Azure portal shows it'
      : 'works with the base URL at the server root, without /v1',
    async () => {
      const other = connect(KEY, true);
      const thread = await other.threads.create({ metadata: { variant: 'yes' } });
      expect(await other.threads.retrieve(thread.id)).toEqual(thread);
      const message = await other.messages.create(thread.id, { role: 'user', content: 'x' });
      expect((await other.messages.list(thread.id)).data).toEqual([message]);
      // Before openai-node 6.x normalised it, AzureOpenAI joined such an endpoint into `//openai/...`.
      const path = flavour.azure ? /^\/\/?openai\/threads/ : /^\/threads/;
      expect(recorder.requests.map((r) => [r.url.match(path) !== null, r.status])).toEqual(Array(4).fill([true, 200]));
    },
  );

  it('reports the SDK version under test', () => {
    expect(Number(loaded.version.split('.')[0])).toBe(flavour.major);
  });
});
