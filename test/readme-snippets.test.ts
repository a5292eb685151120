import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer } from './helpers/app.js';
import { markdownCodeBlocks, README_BASE_URL, README_ENDPOINT } from './helpers/readme.js';
import { recordRequests } from './helpers/request-recorder.js';

/* The README's Node snippets, run as printed against a listening server (only the base URL swapped). */

const run = promisify(execFile);
const [v6Snippet, v4Snippet, azureSnippet] = markdownCodeBlocks('README.md', '## With the OpenAI SDKs', 'js');

// Inside the worktree, so that `import 'openai'` resolves to this project's node_modules.
const cache = fileURLToPath(new URL('../node_modules/.cache/', import.meta.url));
let dir: string;
let server: Awaited<ReturnType<typeof startTestServer>>;
let recorder: ReturnType<typeof recordRequests>;

beforeAll(async () => {
  mkdirSync(cache, { recursive: true });
  dir = mkdtempSync(join(cache, 'readme-snippets-'));
  server = await startTestServer();
  recorder = recordRequests(server.app.server);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Azure's snippet names the endpoint (the server itself), the others the base URL. */
async function runSnippet(name: string, code: string) {
  const azure = code.includes('AzureOpenAI');
  const [printed, actual] = azure
    ? [`'${README_ENDPOINT}'`, `'${server.baseURL}'`]
    : [README_BASE_URL, server.baseURLv1];
  expect(code).toContain(printed);
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, code.replace(printed, actual));
  return (await run(process.execPath, [file], { timeout: 60_000 })).stdout;
}

it('has the three Node snippets, v6, v4, then AzureOpenAI', () => {
  expect(v6Snippet).toContain('client.beta.threads.messages.delete(reply.id, { thread_id: thread.id })');
  expect(v4Snippet).toContain('client.beta.threads.messages.del(thread.id, reply.id)');
  expect(azureSnippet).toContain("import { AzureOpenAI } from 'openai';");
});

it.each([
  ['openai v6', () => v6Snippet!],
  ['openai v4', () => v4Snippet!.replace("from 'openai'", "from 'openai-v4'")],
  ['AzureOpenAI v6', () => azureSnippet!],
  ['AzureOpenAI v5', () => azureSnippet!.replace("from 'openai'", "from 'openai-v5'")],
])('the %s snippet runs as printed', async (name, snippet) => {
  recorder.clear();
  const stdout = await runSnippet(name.replaceAll(' ', '-'), snippet());
  expect(stdout).toBe("user Hello {}\nassistant Hi! { seen: 'yes' }\n");
  expect(recorder.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
    'POST 200',
    'POST 200',
    'POST 200',
    'GET 200',
    'DELETE 200',
    'DELETE 200',
  ]);
});
