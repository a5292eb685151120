import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { startTestServer } from './helpers/app.js';
import { preparePythonSdk, pythonScript, runPython } from './helpers/python-sdk.js';
import { README_BASE_URL, readmeCodeBlocks } from './helpers/readme.js';
import { recordRequests, type RecordedRequest } from './helpers/request-recorder.js';

/*
 * The official Python SDK, in a virtualenv of its own, runs test/python/sdk_roundtrip.py against a listening
 * server; this file asserts what the script printed. Without python3, venv or a reachable PyPI it skips.
 */

const THREAD_ID = /^thread_[0-9A-Za-z]{24}$/;
const MESSAGE_ID = /^msg_[0-9A-Za-z]{24}$/;
const REQUEST_ID = /^req_[0-9a-f]{32}$/;

const text = (value: string) => ({ type: 'text', text: { value, annotations: [] } });

type Json = Record<string, any>;

let skipReason: string | undefined;
let out: Json;
let requests: RecordedRequest[];
let readmeOutput: string;

beforeAll(async () => {
  const sdk = await preparePythonSdk();
  if ('skip' in sdk) {
    skipReason = sdk.skip;
    return;
  }
  const server = await startTestServer();
  try {
    const recorder = recordRequests(server.app.server);
    out = JSON.parse(await runPython(sdk.python, pythonScript('sdk_roundtrip.py'), [server.baseURLv1]));
    requests = [...recorder.requests];
    readmeOutput = await runReadmeSnippet(sdk.python, server.baseURLv1);
  } finally {
    await server.close();
  }
}, 420_000);

/** The README's Python snippet as printed, with only the base URL swapped. */
async function runReadmeSnippet(python: string, baseURL: string): Promise<string> {
  const [snippet] = readmeCodeBlocks('## With the OpenAI SDKs', 'python');
  expect(snippet).toContain(README_BASE_URL);
  const dir = mkdtempSync(join(tmpdir(), 'threadstore-readme-'));
  try {
    const file = join(dir, 'snippet.py');
    writeFileSync(file, snippet!.replace(README_BASE_URL, baseURL));
    return await runPython(python, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function needsPython(ctx: TestContext) {
  if (skipReason) ctx.skip(`Python SDK unavailable: ${skipReason}`);
}

describe('openai-python', () => {
  it('is a 1.x or later release of the official SDK', (ctx) => {
    needsPython(ctx);
    expect(Number(String(out.sdk_version).split('.')[0])).toBeGreaterThanOrEqual(1);
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
    const notFound = (message: string) => ({
      class: 'NotFoundError',
      status: 404,
      message: expect.stringContaining(message),
      body: { message, type: 'invalid_request_error', param: null, code: null },
      code: null,
      param: null,
      type: 'invalid_request_error',
      request_id: expect.stringMatching(REQUEST_ID),
    });
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
    expect(out.bad_role).toEqual({
      class: 'BadRequestError',
      status: 400,
      message: expect.stringContaining(message),
      body: { message, type: 'invalid_request_error', param: 'role', code: 'invalid_value' },
      code: 'invalid_value',
      param: 'role',
      type: 'invalid_request_error',
      request_id: expect.stringMatching(REQUEST_ID),
    });
  });

  it('sends DELETE with a JSON content type and an empty body, and it succeeds', (ctx) => {
    needsPython(ctx);
    const deletes = requests.filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(3);
    for (const request of deletes) {
      expect(request.status).toBe(200);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['content-length'] ?? '0').toBe('0');
      expect(request.headers['transfer-encoding']).toBeUndefined();
    }
    expect(requests.every((r) => r.headers['openai-beta'] === 'assistants=v2')).toBe(true);
  });

  it("runs the README's Python snippet as printed", (ctx) => {
    needsPython(ctx);
    expect(readmeOutput).toBe("user Hello {}\nassistant Hi! {'seen': 'yes'}\n");
  });
});
