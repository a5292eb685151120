import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer } from '../helpers/app.js';
import { CHROMIUM, CHROMIUM_FLAGS, haveChromium, warnWithoutChromium } from '../helpers/chromium.js';

warnWithoutChromium('docs-browser');

describe.skipIf(!haveChromium)('Swagger UI at /docs in headless chromium', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ API_KEYS: 'sk-docs-browser-0123456789' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('renders the 31 operations, without an API key', async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    await page.goto(`${server.baseURL}/docs`);
    await page.locator('.opblock').nth(30).waitFor({ timeout: 20_000 });
    const operations = await page.locator('.opblock').evaluateAll((blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent ?? '';
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method} ${path}`;
      }),
    );
    expect(operations.sort()).toEqual(
      [
        'POST /v1/threads',
        'GET /v1/threads/{thread_id}',
        'POST /v1/threads/{thread_id}',
        'DELETE /v1/threads/{thread_id}',
        'POST /v1/threads/{thread_id}/messages',
        'GET /v1/threads/{thread_id}/messages',
        'GET /v1/threads/{thread_id}/messages/{message_id}',
        'POST /v1/threads/{thread_id}/messages/{message_id}',
        'DELETE /v1/threads/{thread_id}/messages/{message_id}',
        'POST /v1/assistants',
        'GET /v1/assistants',
        'GET /v1/assistants/{assistant_id}',
        'POST /v1/assistants/{assistant_id}',
        'DELETE /v1/assistants/{assistant_id}',
        'POST /v1/threads/{thread_id}/runs',
        'POST /v1/threads/runs',
        'GET /v1/threads/{thread_id}/runs',
        'GET /v1/threads/{thread_id}/runs/{run_id}',
        'POST /v1/threads/{thread_id}/runs/{run_id}',
        'POST /v1/threads/{thread_id}/runs/{run_id}/cancel',
        'POST /v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs',
        'GET /v1/threads/{thread_id}/runs/{run_id}/steps',
        'GET /v1/threads/{thread_id}/runs/{run_id}/steps/{step_id}',
        'POST /v1/conversations',
        'GET /v1/conversations/{conversation_id}',
        'POST /v1/conversations/{conversation_id}',
        'DELETE /v1/conversations/{conversation_id}',
        'POST /v1/conversations/{conversation_id}/items',
        'GET /v1/conversations/{conversation_id}/items',
        'GET /v1/conversations/{conversation_id}/items/{item_id}',
        'DELETE /v1/conversations/{conversation_id}/items/{item_id}',
      ].sort(),
    );
    await expect(page.locator('.information-container .title').textContent()).resolves.toContain('threadstore');
    expect(failed).toEqual([]);
  });
});
