import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer } from './helpers/app.js';
import { PYTHON_SDK_MAJORS, preparePythonSdk, runPython } from './helpers/python-sdk.js';
import { markdownCodeBlocks, README_BASE_URL } from './helpers/readme.js';

/*
 * The "old thread as model input" example of docs/conversations.md, in Node and in Python, run as printed against a
 * listening server; the model's base URL points at a local stand-in for the Responses endpoint that records
 * what it was sent. The Python one runs with each major of openai-python, skipping where pip cannot install it.
 */

const run = promisify(execFile);
const MODEL_BASE_URL = 'https://api.openai.com/v1';
const [jsSnippet] = markdownCodeBlocks('docs/conversations.md', '## An old thread as model input', 'js');
const [pythonSnippet] = markdownCodeBlocks('docs/conversations.md', '## An old thread as model input', 'python');

const cache = fileURLToPath(new URL('../node_modules/.cache/', import.meta.url));
let dir: string;
let server: Awaited<ReturnType<typeof startTestServer>>;
let fakeModel: Server;
const sentToModel: { input: unknown[] }[] = [];

/** Answers POST /v1/responses like the Responses API would, with one assistant message of a new id each time. */
function startFakeModel(): Promise<string> {
  fakeModel = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      sentToModel.push(JSON.parse(body));
      const answerId = `msg_fakeModelAnswer${String(sentToModel.length).padStart(9, '0')}`;
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          id: `resp_fake${sentToModel.length}`,
          object: 'response',
          created_at: 1_790_000_000,
          status: 'completed',
          model: 'gpt-5-mini',
          output: [
            {
              id: answerId,
              type: 'message',
              role: 'assistant',
              status: 'completed',
              content: [{ type: 'output_text', text: 'Your name is Ada.', annotations: [] }],
            },
          ],
        }),
      );
    });
  });
  return new Promise((resolve) =>
    fakeModel.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(fakeModel.address() as AddressInfo).port}/v1`)),
  );
}

let modelUrl: string;
beforeAll(async () => {
  mkdirSync(cache, { recursive: true });
  dir = mkdtempSync(join(cache, 'readme-conversations-'));
  server = await startTestServer();
  modelUrl = await startFakeModel();
});
afterAll(async () => {
  await server.close();
  await new Promise((resolve) => fakeModel.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** The snippet as printed, with only the two addresses swapped, written to a file of that name. */
function writeSnippet(name: string, snippet: string | undefined, quote: string): string {
  expect(snippet).toContain(`${quote}${README_BASE_URL}${quote}`);
  expect(snippet).toContain(`${quote}${MODEL_BASE_URL}${quote}`);
  const file = join(dir, name);
  writeFileSync(file, snippet!.replace(README_BASE_URL, server.baseURLv1).replace(MODEL_BASE_URL, modelUrl));
  return file;
}

/** What both snippets print, and the thread's history in order, then the question, as the model must get it. */
function expectAnswerStoredAndHistorySent(stdout: string, sentBefore: number) {
  expect(stdout).toBe('Your name is Ada.\nassistant Your name is Ada.\n');
  expect(sentToModel).toHaveLength(sentBefore + 1);
  expect(sentToModel.at(-1)!.input).toEqual([
    {
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_text', text: 'My name is Ada.' }],
    },
    {
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'Nice to meet you, Ada.', annotations: [], logprobs: [] }],
    },
    { role: 'user', content: 'What is my name?' },
  ]);
}

it('in Node: reads an old thread as items, passes them to responses.create, and stores the answer, as printed', async () => {
  const file = writeSnippet('old-thread-as-input.mjs', jsSnippet, "'");
  const sentBefore = sentToModel.length;
  const { stdout } = await run(process.execPath, [file], { timeout: 60_000 });
  expectAnswerStoredAndHistorySent(stdout, sentBefore);
});

it.for([...PYTHON_SDK_MAJORS])(
  'in Python with openai %i: the same, as printed',
  { timeout: 420_000 },
  async (major, ctx) => {
    const sdk = await preparePythonSdk(major);
    if ('skip' in sdk) return ctx.skip(`openai-python ${major} unavailable: ${sdk.skip}`);
    const file = writeSnippet(`old_thread_as_input_openai${major}.py`, pythonSnippet, '"');
    const sentBefore = sentToModel.length;
    expectAnswerStoredAndHistorySent(await runPython(sdk.python, file), sentBefore);
  },
);
