import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { startTestServer } from './helpers/app.js';
import {
  preparePythonSdk,
  PYTHON_SDK_MAJORS,
  type PythonSdk,
  type PythonSdkMajor,
  pythonScript,
  runPython,
} from './helpers/python-sdk.js';
import { markdownCodeBlocks, README_BASE_URL, README_ENDPOINT } from './helpers/readme.js';
import { AZURE_API_VERSION } from './helpers/sdk-clients.js';
import { recordRequests, type RecordedRequest } from './helpers/request-recorder.js';

/*
 * The official Python SDK, majors 2 and 3, each in a virtualenv of its own and each as `OpenAI` and as
 * `AzureOpenAI`, runs test/python/sdk_roundtrip.py against a listening server with keys of two tenants; this
 * file asserts what the script printed, one table-driven suite for the four. The README's Python snippets run
 * against a server without keys. Where a major cannot be installed (no python3, venv or index), it skips.
 */

const THREAD_ID = /^thread_[0-9A-Za-z]{24}$/;
const MESSAGE_ID = /^msg_[0-9A-Za-z]{24}$/;
const REQUEST_ID = /^req_[0-9a-f]{32}$/;

const KEY = 'sk-acme-0123456789abcdefWXYZ';
const OTHER_TENANT_KEY = 'sk-globex-9876543210zyxwvuts';
const WRONG_KEY = 'sk-wrong-00000000000000000000';

const text = (value: string) => ({ type: 'text', text: { value, annotations: [] } });

type Json = Record<string, any>;

/** One virtualenv per major, prepared once however many rows use it. */
const sdks = new Map<PythonSdkMajor, Promise<PythonSdk>>();
const sdkOf = (major: PythonSdkMajor) => {
  if (!sdks.has(major)) sdks.set(major, preparePythonSdk(major));
  return sdks.get(major)!;
};

/** The README's Python snippet for this client as printed, with only the address swapped, against a server without keys. */
async function runReadmeSnippet(python: string, azure: boolean): Promise<string> {
  const snippet = markdownCodeBlocks('README.md', '## With the OpenAI SDKs', 'python').find(
    (block) => block.includes('AzureOpenAI') === azure,
  );
  const printedAddress = azure ? README_ENDPOINT : README_BASE_URL;
  expect(snippet).toContain(`"${printedAddress}"`);
  const server = await startTestServer();
  const dir = mkdtempSync(join(tmpdir(), 'threadstore-readme-'));
  try {
    const file = join(dir, 'snippet.py');
    writeFileSync(file, snippet!.replace(`"${printedAddress}"`, `"${azure ? server.baseURL : server.baseURLv1}"`));
    return await runPython(python, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
}

const rows = PYTHON_SDK_MAJORS.flatMap((major) =>
  (['OpenAI', 'AzureOpenAI'] as const).map((client) => ({ major, client, azure: client === 'AzureOpenAI' })),
);

describe.each(rows)('openai-python $major $client', ({ major, client, azure }) => {
  let skipReason: string | undefined;
  let out: Json;
  let requests: RecordedRequest[];
  let readmeOutput: string;

  beforeAll(async () => {
    const sdk = await sdkOf(major);
    if ('skip' in sdk) {
      skipReason = sdk.skip;
      return;
    }
    const server = await startTestServer({ API_KEYS: `acme:${KEY},globex:${OTHER_TENANT_KEY}` });
    try {
      const recorder = recordRequests(server.app.server);
      const args = [server.baseURL, client, KEY, OTHER_TENANT_KEY, WRONG_KEY, AZURE_API_VERSION];
      out = JSON.parse(await runPython(sdk.python, pythonScript('sdk_roundtrip.py'), args));
      requests = [...recorder.requests];
    } finally {
      await server.close();
    }
    readmeOutput = await runReadmeSnippet(sdk.python, azure);
  }, 420_000);

  function needsPython(ctx: TestContext) {
    if (skipReason) ctx.skip(`openai-python ${major} unavailable: ${skipReason}`);
  }

  const apiError = (cls: string, status: number, message: string, param: string | null, code: string | null) => ({
    class: cls,
    status,
    message: expect.stringContaining(message),
    body: { message, type: 'invalid_request_error', param, code },
    code,
    param,
    type: 'invalid_request_error',
    request_id: expect.stringMatching(REQUEST_ID),
  });

  it(`is a ${major}.x release of the official SDK`, (ctx) => {
    needsPython(ctx);
    expect(String(out.sdk_version).split('.')[0]).toBe(String(major));
  });

  it('creates, retrieves and updates a thread', (ctx) => {
    needsPython(ctx);
    const thread = out.thread_created;
    expect(thread).toEqual({
      id: expect.stringMatching(THREAD_ID),
      object: 'thread',
      created_at: expect.any(Number),
      metadata: { project: 'demo', owner: 'ana' },
      tool_resources: {},
    });
    expect(out.thread_retrieved).toEqual(thread);
    expect(out.thread_updated).toEqual({ ...thread, metadata: { project: 'renamed' } });
  });

  it('creates, retrieves, updates and lists messages with all 14 fields', (ctx) => {
    needsPython(ctx);
    const threadId = out.thread_created.id;
    const message = out.message_created;
    expect(message).toEqual({
      id: expect.stringMatching(MESSAGE_ID),
      object: 'thread.message',
      created_at: expect.any(Number),
      thread_id: threadId,
      status: 'completed',
      incomplete_details: null,
      completed_at: message.created_at,
      incomplete_at: null,
      role: 'assistant',
      content: [text('Look'), { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'auto' } }],
      assistant_id: null,
      run_id: null,
      attachments: [],
      metadata: { a: '1' },
    });
    expect(out.message_retrieved).toEqual(message);
    expect(out.message_updated).toEqual({ ...message, metadata: { b: '2' } });
    expect(out.message_list).toHaveLength(2);
    expect(out.message_list[0]).toMatchObject({ role: 'user', content: [text('Hello')], thread_id: threadId });
    expect(out.message_list[1]).toEqual(out.message_updated);
  });

  it('deletes a message and a thread, after which both are NotFoundError', (ctx) => {
    needsPython(ctx);
    const threadId = out.thread_created.id;
    const messageId = out.message_created.id;
    expect(out.message_deleted).toEqual({ id: messageId, object: 'thread.message.deleted', deleted: true });
    expect(out.thread_deleted).toEqual({ id: threadId, object: 'thread.deleted', deleted: true });
    const notFound = (message: string) => apiError('NotFoundError', 404, message, null, null);
    expect(out.message_after_delete).toEqual(notFound(`No message found with id '${messageId}'.`));
    expect(out.thread_after_delete).toEqual(notFound(`No thread found with id '${threadId}'.`));
  });

  it('auto-paginates over several pages in both orders, each message once', (ctx) => {
    needsPython(ctx);
    const created: string[] = out.paged_created_ids;
    expect(created).toHaveLength(7);
    expect(out.auto_asc).toEqual(created);
    expect(out.auto_desc).toEqual([...created].reverse());
    expect(out.pages_asc).toEqual([
      { ids: created.slice(0, 3), has_more: true },
      { ids: created.slice(3, 6), has_more: true },
      { ids: created.slice(6), has_more: false },
    ]);
    const reversed = [...created].reverse();
    expect(out.pages_desc).toEqual([
      { ids: reversed.slice(0, 3), has_more: true },
      { ids: reversed.slice(3, 6), has_more: true },
      { ids: reversed.slice(6), has_more: false },
    ]);
  });

  it('a bad role is BadRequestError with code and param', (ctx) => {
    needsPython(ctx);
    const message = "Invalid value: 'system'. Supported values are: 'user' and 'assistant'.";
    expect(out.bad_role).toEqual(apiError('BadRequestError', 400, message, 'role', 'invalid_value'));
  });

  it('a wrong key is AuthenticationError with the key masked', (ctx) => {
    needsPython(ctx);
    const masked = `${WRONG_KEY.slice(0, 8)}${'*'.repeat(WRONG_KEY.length - 12)}${WRONG_KEY.slice(-4)}`;
    expect(out.wrong_key).toEqual(
      apiError('AuthenticationError', 401, `Incorrect API key provided: ${masked}.`, null, 'invalid_api_key'),
    );
  });

  it("another tenant's thread is NotFoundError on all 8 operations that name it; its own threads stay its own", (ctx) => {
    needsPython(ctx);
    const noThread = apiError('NotFoundError', 404, `No thread found with id '${out.owned.thread_id}'.`, null, null);
    expect(Object.keys(out.intrusions)).toHaveLength(8);
    for (const [operation, error] of Object.entries(out.intrusions)) expect(error, operation).toEqual(noThread);
    expect(out.foreign_thread).toEqual({
      intruder_sees_own: true,
      owner_sees_it: apiError('NotFoundError', 404, `No thread found with id '${out.foreign_thread.id}'.`, null, null),
      owner_thread_untouched: true,
      id: expect.stringMatching(THREAD_ID),
    });
  });

  it("sends DELETE with a JSON content type and an empty body; every request has its client's key header and prefix", (ctx) => {
    needsPython(ctx);
    const deletes = requests.filter((r) => r.method === 'DELETE' && r.status === 200);
    expect(deletes).toHaveLength(3);
    for (const request of deletes) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['content-length'] ?? '0').toBe('0');
      expect(request.headers['transfer-encoding']).toBeUndefined();
    }
    for (const request of requests) {
      const url = new URL(request.url, 'http://x');
      expect(url.pathname.startsWith(azure ? '/openai/threads' : '/v1/threads'), request.url).toBe(true);
      expect(request.headers['openai-beta']).toBe('assistants=v2');
      // AzureOpenAI sends its key as api-key instead of Authorization, and api-version on every request.
      expect(request.headers.authorization === undefined).toBe(azure);
      expect(request.headers['api-key'] !== undefined).toBe(azure);
      expect(url.searchParams.getAll('api-version')).toEqual(azure ? [AZURE_API_VERSION] : []);
    }
  });

  it("runs the README's Python snippet as printed", (ctx) => {
    needsPython(ctx);
    expect(readmeOutput).toBe("user Hello {}\nassistant Hi! {'seen': 'yes'}\n");
  });
});

// What every row above does on a machine where pip reaches no index that has the major.
it('a major pip cannot install is a skip with the reason, not a failure', async () => {
  const sdk = await preparePythonSdk(99 as PythonSdkMajor);
  expect(sdk).toEqual({ skip: expect.stringMatching(/^(pip install 'openai>=99,<100' failed|python3)/) });
}, 300_000);
