import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer } from './helpers/app.js';
import { README_BASE_URL, readmeCodeBlocks } from './helpers/readme.js';

/*
 * The README's "old thread as model input" example, run as printed against a listening server; the
 * model's base URL points at a local fake of the Responses endpoint that records what it was sent.
 */

const run = promisify(execFile);
const MODEL_BASE_URL = 'https://api.openai.com/v1';
const [snippet] = readmeCodeBlocks('## Moving to Conversations', 'js');

const cache = fileURLToPath(new URL('../node_modules/.cache/', import.meta.url));
let dir: string;
let server: Awaited<ReturnType<typeof startTestServer>>;
let fakeModel: Server;
const sentToModel: { input: unknown[] }[] = [];

/** Answers POST /v1/responses like the Responses API would, with one assistant message. */
function startFakeModel(): Promise<string> {
  fakeModel = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      sentToModel.push(JSON.parse(body));
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          id: 'resp_fake',
          object: 'response',
          created_at: 1_790_000_000,
          status: 'completed',
          model: 'gpt-5-mini',
          output: [
            {
              id: 'msg_fakeModelAnswer000000001',
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

it('reads an old thread as items, passes them to responses.create, and stores the answer, as printed', async () => {
  expect(snippet).toContain(README_BASE_URL);
  expect(snippet).toContain(MODEL_BASE_URL);
  const file = join(dir, 'old-thread-as-input.mjs');
  writeFileSync(file, snippet!.replace(README_BASE_URL, server.baseURLv1).replace(MODEL_BASE_URL, modelUrl));
  const { stdout } = await run(process.execPath, [file], { timeout: 60_000 });
  expect(stdout).toBe('Your name is Ada.\nassistant Your name is Ada.\n');
  expect(sentToModel).toHaveLength(1);
  expect(sentToModel[0]!.input).toEqual([
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
});
