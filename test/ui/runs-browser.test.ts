import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer } from '../helpers/app.js';
import { CHROMIUM, CHROMIUM_FLAGS, haveChromium, warnWithoutChromium } from '../helpers/chromium.js';
import { weatherTool } from '../helpers/runs.js';
import {
  type ScriptedTurn,
  type ScriptedUpstream,
  type SeenRequest,
  startScriptedUpstream,
} from '../helpers/scripted-upstream.mjs';

warnWithoutChromium('ui runs-browser');

/** Screenshots land here (gitignored), for a look after a run; UPDATE_DOCS_SCREENSHOT=1 also writes the docs' one. */
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const DOCS_SCREENSHOT = new URL('../../docs/thread-viewer.png', import.meta.url);
const KEY = 'sk-ui-runs-0123456789abcdef';

/** The upstream answers by what the thread's last user message asks for; after a tool output, with the weather. */
function answer(request: SeenRequest): ScriptedTurn {
  const messages = request.body.messages ?? [];
  if (messages.at(-1)?.role === 'tool')
    return { text: ['It is 18 °C', ' in Paris.'], usage: { prompt_tokens: 40, completion_tokens: 9 } };
  const asked = JSON.stringify(messages.filter((message) => message.role === 'user').at(-1)?.content ?? '');
  if (asked.includes('weather'))
    return {
      toolCalls: [{ name: 'get_weather', arguments: ['{"city":', '"Paris"}'], id: 'call_weather1' }],
      usage: { prompt_tokens: 30, completion_tokens: 7 },
    };
  if (asked.includes('fail')) return { status: 500, body: { error: { message: 'The model is down.' } } };
  if (asked.includes('slow'))
    return { text: ['One,', ' two,', ' three,', ' four,', ' five,', ' six.'], chunkDelayMs: 600 };
  if (asked.includes('long')) return { text: ['Cut'], finish: 'length' };
  return { text: ['Hi', ' there.'], usage: { prompt_tokens: 12, completion_tokens: 3 } };
}

describe.skipIf(!haveChromium)('runs and run steps in the thread viewer, in headless chromium', () => {
  let upstream: ScriptedUpstream;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let assistantId: string;

  beforeAll(async () => {
    upstream = await startScriptedUpstream(answer);
    // No retries: a scripted failure fails its run at once.
    server = await startTestServer({
      API_KEYS: `runs:${KEY}`,
      UPSTREAM_BASE_URL: upstream.url,
      UPSTREAM_MAX_RETRIES: '0',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    mkdirSync(ARTIFACTS, { recursive: true });
    assistantId = (await post('/assistants', { model: 'gpt-4o', instructions: 'Be brief.', tools: [weatherTool] })).id;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await upstream?.close();
  });

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${server.baseURLv1}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, any>;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }
  const post = (path: string, body: unknown = {}) => call('POST', path, body);

  /** A thread asking `question`, and its run (as created: queued). */
  async function startRun(question: string, metadata: Record<string, string> = {}) {
    const thread = await post('/threads', { messages: [{ role: 'user', content: question }], metadata });
    const run = await post(`/threads/${thread.id}/runs`, { assistant_id: assistantId, metadata });
    return { thread, run };
  }
  async function waitFor(threadId: string, runId: string, statuses: string[]) {
    for (const deadline = Date.now() + 10_000; ; ) {
      const run = await call('GET', `/threads/${threadId}/runs/${runId}`);
      if (statuses.includes(run.status)) return run;
      if (Date.now() > deadline) throw new Error(`run ${runId} is ${run.status}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function open(threadId: string, options: Parameters<Browser['newContext']>[0] = {}) {
    const context: BrowserContext = await browser.newContext(options);
    await context.addInitScript((value) => sessionStorage.setItem('threadstore.apiKey', value), KEY);
    const page: Page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${server.baseURL}/ui/threads/${threadId}`);
    await page.locator('.run').first().waitFor();
    return { context, page, problems };
  }
  const card = (page: Page, runId: string) => page.locator(`.run[data-id="${runId}"]`);
  const statusOf = (page: Page, runId: string) => card(page, runId).locator('summary .run-status').textContent();
  /** The card's facts as "key: value" lines. */
  const factsOf = (page: Page, runId: string) =>
    card(page, runId)
      .locator('.run-body > .pairs > div')
      .evaluateAll((rows) => rows.map((row) => `${row.children[0]!.textContent}: ${row.children[1]!.textContent}`));

  test('a completed run: its status, model, timings, usage and message step; the message links to it and back', async () => {
    const { thread, run } = await startRun('Hello?');
    const done = await waitFor(thread.id, run.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    const [message] = (await call('GET', `/threads/${thread.id}/messages?run_id=${run.id}`)).data;

    const { context, page, problems } = await open(thread.id, { viewport: { width: 1000, height: 900 } });
    await expect(statusOf(page, run.id)).resolves.toBe('completed');
    await expect(card(page, run.id).locator('summary .run-model').textContent()).resolves.toBe('gpt-4o');
    await expect(card(page, run.id).locator('summary .tokens').textContent()).resolves.toBe('15 tokens');
    // The newest run starts open, with its steps.
    await card(page, run.id).locator('.step').first().waitFor();
    const facts = await factsOf(page, run.id);
    expect(facts.map((fact) => fact.split(':')[0])).toEqual([
      'assistant',
      'created',
      'started',
      'completed',
      'duration',
      'usage',
      'tools',
    ]);
    expect(facts).toContain(`assistant: ${assistantId}`);
    expect(facts).toContain('usage: 12 prompt + 3 completion = 15');
    expect(facts).toContain('tools: get_weather');
    expect(facts.find((fact) => fact.startsWith('duration'))).toMatch(/^duration: (< 1 s|\d+ s)$/);
    const started = await card(page, run.id).locator('[data-key=started] time').getAttribute('datetime');
    expect(started).toBe(new Date(done.started_at * 1000).toISOString());

    const step = card(page, run.id).locator('.step');
    await expect(step.count()).resolves.toBe(1);
    await expect(step.locator('.step-label').textContent()).resolves.toBe('Message');
    await expect(step.locator('.run-status').textContent()).resolves.toBe('completed');
    await expect(step.locator('.tokens').textContent()).resolves.toBe('15 tokens');
    await expect(step.locator('a.link').textContent()).resolves.toBe(`message ${message.id}`);

    // The message the run wrote names its run; the link opens and focuses the run's card, and back.
    const entry = page.locator(`.entry[data-id="${message.id}"]`);
    await expect(entry.locator('.text').textContent()).resolves.toBe('Hi there.');
    await expect(entry.locator('.run-link').textContent()).resolves.toBe(`run ${run.id}`);
    await expect(page.locator('.entry.role-user .run-link').count()).resolves.toBe(0);
    await card(page, run.id).locator('summary').click();
    await expect(card(page, run.id).locator('details').getAttribute('open')).resolves.toBeNull();
    await entry.locator('.run-link').focus();
    await page.keyboard.press('Enter');
    await expect(card(page, run.id).locator('details').getAttribute('open')).resolves.toBe('');
    await expect(page.evaluate(() => document.activeElement?.closest('.run')?.getAttribute('data-id'))).resolves.toBe(
      run.id,
    );
    await step.locator('a.link').click();
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-id'))).resolves.toBe(message.id);

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: new URL('ui-run.png', ARTIFACTS).pathname });
    await page.setViewportSize({ width: 375, height: 740 });
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(375);
    await page.screenshot({ path: new URL('ui-run-phone.png', ARTIFACTS).pathname, fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a run waiting for tool outputs shows the call; after the outputs, the page shows them and the answer without a reload', async () => {
    const { thread, run } = await startRun('What is the weather in Paris?', { customer: 'c-42', channel: 'web' });
    await waitFor(thread.id, run.id, ['requires_action']);
    const { context, page, problems } = await open(thread.id, { viewport: { width: 1000, height: 900 } });
    await expect(statusOf(page, run.id)).resolves.toBe('requires action');
    const waiting = card(page, run.id).locator('.required-action');
    await expect(waiting.locator('.warning').textContent()).resolves.toBe('Waiting for the output of 1 tool call(s):');
    await expect(waiting.locator('.tool-name').textContent()).resolves.toBe('get_weather()');
    await expect(waiting.locator('.arguments').textContent()).resolves.toBe('{\n  "city": "Paris"\n}');
    const step = card(page, run.id).locator('.step.type-tool_calls');
    await step.waitFor();
    await expect(step.locator('.run-status').textContent()).resolves.toBe('in progress');
    await expect(step.locator('.tool-call .id').textContent()).resolves.toBe('call_weather1');
    await expect(step.locator('.output').textContent()).resolves.toBe('No output yet.');
    await expect(page.locator('.entry').count()).resolves.toBe(1);

    await post(`/threads/${thread.id}/runs/${run.id}/submit_tool_outputs`, {
      tool_outputs: [{ tool_call_id: 'call_weather1', output: '{"temperature_c":18}' }],
    });
    await expect.poll(() => statusOf(page, run.id), { timeout: 10_000 }).toBe('completed');
    await expect(page.locator('.run-news').textContent()).resolves.toBe(`Run ${run.id} is completed.`);
    await expect.poll(() => step.locator('.output').textContent()).toBe('{\n  "temperature_c": 18\n}');
    await expect(step.locator('.run-status').textContent()).resolves.toBe('completed');
    await expect(card(page, run.id).locator('.required-action').count()).resolves.toBe(0);
    await expect(card(page, run.id).locator('.step .step-label').allTextContents()).resolves.toEqual([
      'Tool calls',
      'Message',
    ]);
    const facts = await factsOf(page, run.id);
    expect(facts).toContain('usage: 70 prompt + 16 completion = 86');
    expect(facts).toContain('metadata: customer=c-42, channel=web');
    // The answer the run wrote after the outputs joins the timeline, linked to the run.
    const answerEntry = page.locator('.entry.role-assistant');
    await answerEntry.waitFor();
    await expect(answerEntry.locator('.text').textContent()).resolves.toBe('It is 18 °C in Paris.');
    await expect(answerEntry.locator('.run-link').textContent()).resolves.toBe(`run ${run.id}`);
    await page.screenshot({ path: new URL('ui-run-tools.png', ARTIFACTS).pathname, fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      await page.locator('.run-news').evaluate((news) => {
        news.textContent = '';
      });
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.screenshot({ path: DOCS_SCREENSHOT.pathname, fullPage: true });
    }
    // Tool calls' arguments and outputs wrap on a phone: nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 740 });
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(375);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a failed run shows its last_error, an incomplete one its incomplete_details', async () => {
    const { thread, run: failed } = await startRun('Please fail.');
    const settled = await waitFor(thread.id, failed.id, ['failed', 'completed']);
    expect(settled.status).toBe('failed');
    const incomplete = await post(`/threads/${thread.id}/runs`, {
      assistant_id: assistantId,
      max_completion_tokens: 256,
      additional_messages: [{ role: 'user', content: 'A long answer, please.' }],
    });
    expect((await waitFor(thread.id, incomplete.id, ['incomplete', 'completed', 'failed'])).status).toBe('incomplete');

    // In the dark scheme, for a look at the failure colours (test-artifacts/ui-run-failed-dark.png).
    const { context, page, problems } = await open(thread.id, { colorScheme: 'dark' });
    await expect(
      page.locator('.run').evaluateAll((runs) => runs.map((run) => run.getAttribute('data-id'))),
    ).resolves.toEqual([incomplete.id, failed.id]);
    await expect(statusOf(page, incomplete.id)).resolves.toBe('incomplete');
    await expect(card(page, incomplete.id).locator('.run-incomplete').textContent()).resolves.toBe(
      'Incomplete: max_completion_tokens',
    );
    await expect(statusOf(page, failed.id)).resolves.toBe('failed');
    // An older run opens with the keyboard.
    await card(page, failed.id).locator('summary').focus();
    await page.keyboard.press('Enter');
    await expect(card(page, failed.id).locator('.run-error').textContent()).resolves.toBe(
      `Failed (server_error): ${settled.last_error.message}`,
    );
    await expect(factsOf(page, failed.id)).resolves.toContain(
      `failed: ${await card(page, failed.id).locator('[data-key=failed] time').textContent()}`,
    );
    // The upstream failed before answering anything: no step was written.
    await expect(card(page, failed.id).locator('.no-steps').textContent()).resolves.toBe('No steps.');
    await card(page, incomplete.id).locator('.step').first().waitFor();
    await page.screenshot({ path: new URL('ui-run-failed-dark.png', ARTIFACTS).pathname, fullPage: true });
    await expect(card(page, incomplete.id).locator('.step .step-label').allTextContents()).resolves.toEqual([
      'Message',
    ]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a run in progress changes on the page as it goes, without a reload, and polling stops when it ends', async () => {
    const { thread, run } = await startRun('Count slowly.');
    const { context, page, problems } = await open(thread.id);
    const answer = page.locator('.entry.role-assistant .text');
    // What the page shows, sampled as the run goes: its status, and the text of its message so far.
    const seen: [string | null, string | null][] = [];
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      const sample = await page.evaluate(() => [
        document.querySelector('.run summary .run-status')?.textContent ?? null,
        document.querySelector('.entry.role-assistant .text')?.textContent ?? null,
      ]);
      seen.push(sample as [string | null, string | null]);
      if (sample[0] === 'completed') break;
      await page.waitForTimeout(100);
    }
    expect(['queued', 'in progress']).toContain(seen[0]![0]);
    expect(seen.at(-1)![0]).toBe('completed');
    // The message was shown while the model was still writing it.
    const partial = seen.filter(([status, text]) => status === 'in progress' && text !== null);
    expect(
      partial.some(([, text]) => /^One,/.test(text!) && !text!.endsWith('six.')),
      JSON.stringify(seen),
    ).toBe(true);
    await expect.poll(() => answer.textContent()).toBe('One, two, three, four, five, six.');
    await expect(card(page, run.id).locator('summary .tokens').count()).resolves.toBe(1);

    // Once the run has ended the page stops asking.
    const asked: string[] = [];
    page.on('request', (request) => asked.push(new URL(request.url()).pathname));
    await page.waitForTimeout(2_500);
    expect(asked.filter((path) => path.includes('/runs'))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a hidden page stops polling and starts again when shown', async () => {
    const { thread, run } = await startRun('What is the weather in Paris?');
    await waitFor(thread.id, run.id, ['requires_action']);
    const { context, page } = await open(thread.id);
    const asked: string[] = [];
    page.on('request', (request) => asked.push(new URL(request.url()).pathname));
    await expect.poll(() => asked.length, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(asked).toContain(`/v1/threads/${thread.id}/runs/${run.id}`);

    const hide = (hidden: boolean) =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await hide(true);
    await page.waitForTimeout(1_200);
    asked.length = 0;
    await page.waitForTimeout(2_500);
    expect(asked).toEqual([]);
    await hide(false);
    await expect.poll(() => asked.length, { timeout: 5_000 }).toBeGreaterThan(0);
    await context.close();
  });
});
