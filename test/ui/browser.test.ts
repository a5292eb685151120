import { mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer } from '../helpers/app.js';
import { CHROMIUM, CHROMIUM_FLAGS, haveChromium, warnWithoutChromium } from '../helpers/chromium.js';

warnWithoutChromium('ui-browser');

/** Screenshots land here (gitignored), for a look after a run. */
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

const KEYS = {
  list: 'sk-ui-list-0123456789abcdef',
  thread: 'sk-ui-thread-0123456789abcdef',
  other: 'sk-ui-other-0123456789abcdef',
  login: 'sk-ui-login-0123456789abcdef',
};
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"><rect width="120" height="80" fill="#e07a5f"/></svg>';

describe.skipIf(!haveChromium)('the thread viewer at /ui in headless chromium', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  /** Another origin serving one image, as an `image_url` would name; it records the headers it got. */
  let images: Server;
  let imageUrl: string;
  const imageRequests: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    const apiKeys = Object.entries(KEYS)
      .map(([tenant, key]) => `${tenant}:${key}`)
      .join(',');
    server = await startTestServer({ API_KEYS: apiKeys });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    images = createServer((request, response) => {
      imageRequests.push(request.headers);
      response.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SVG);
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/picture.svg`;
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => images?.close(resolve));
  });

  async function call(key: string, method: string, path: string, body?: unknown) {
    const response = await fetch(`${server.baseURLv1}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }
  const create = async (key: string, path: string, body: unknown = {}) => (await call(key, 'POST', path, body)).body;

  /** A tab that already holds `key`, as after the prompt, watching for failed loads, script errors and dialogs. */
  async function tabWithKey(key: string | null, options: Parameters<Browser['newContext']>[0] = {}) {
    const context: BrowserContext = await browser.newContext(options);
    if (key !== null) {
      await context.addInitScript((value) => {
        if (!sessionStorage.getItem('threadstore.apiKey')) sessionStorage.setItem('threadstore.apiKey', value);
      }, key);
    }
    const page: Page = await context.newPage();
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    // The viewer's own files must all load; API answers (a 401, a 404) are the page's to show.
    page.on('response', (response) => {
      if (response.status() >= 400 && new URL(response.url()).pathname.startsWith('/ui'))
        problems.push(`${response.status()} ${response.url()}`);
    });
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    return { context, page, problems, dialogs };
  }

  const threadIds = (page: Page) => page.locator('.thread-link code').allTextContents();

  test('asks for the key, refuses a wrong one, keeps the right one for the tab only', async () => {
    const { context, page, problems } = await tabWithKey(null);
    await page.goto(`${server.baseURL}/ui`);
    await expect(page.locator('h1').textContent()).resolves.toBe('API key');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('api-key');
    await page.screenshot({ path: new URL('ui-key-prompt.png', ARTIFACTS).pathname });

    await page.fill('#api-key', 'sk-wrong-0123456789abcdef');
    await page.keyboard.press('Enter');
    await page.locator('.error').waitFor();
    await expect(page.locator('.error').textContent()).resolves.toMatch(
      /^Incorrect API key provided: sk-wrong\*+cdef\.$/,
    );

    await page.fill('#api-key', KEYS.login);
    await page.keyboard.press('Enter');
    await page.locator('h1', { hasText: 'Threads' }).waitFor();
    await expect(page.locator('.empty').textContent()).resolves.toBe('No threads stored yet.');
    expect(page.url()).toBe(`${server.baseURL}/ui`);
    await expect(page.evaluate(() => sessionStorage.getItem('threadstore.apiKey'))).resolves.toBe(KEYS.login);
    await expect(context.cookies()).resolves.toEqual([]);

    await page.reload();
    await page.locator('h1', { hasText: 'Threads' }).waitFor();
    await page.click('#forget-key');
    await page.locator('h1', { hasText: 'API key' }).waitFor();
    await expect(page.evaluate(() => sessionStorage.length)).resolves.toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('lists threads newest first, pages with the cursors, filters by metadata, finds by id', async () => {
    const created: string[] = [];
    const demo: string[] = [];
    for (let index = 0; index < 25; index++) {
      const metadata = index % 8 === 3 ? { project: 'demo', n: String(index) } : { n: String(index) };
      const thread = await create(KEYS.list, '/threads', { metadata });
      created.push(thread.id);
      if (metadata.project) demo.push(thread.id);
    }
    const newestFirst = [...created].reverse();
    const { context, page, problems } = await tabWithKey(KEYS.list);
    await page.goto(`${server.baseURL}/ui`);
    await page.locator('.thread-row').first().waitFor();
    await expect.poll(() => threadIds(page)).toEqual(newestFirst.slice(0, 20));
    await expect(page.locator('.pager a').allTextContents()).resolves.toEqual(['Older →']);
    // Every part of the page is an element: no stray text such as a 'null' between them.
    await expect(
      page.locator('main > div').evaluate((view) => [...view.childNodes].map((node) => node.nodeName)),
    ).resolves.toEqual(['H1', 'DIV', 'OL', 'NAV']);
    await page.screenshot({ path: new URL('ui-list.png', ARTIFACTS).pathname });

    await page.click('text=Older →');
    await page.waitForURL(`**/ui?after=${newestFirst[19]}`);
    await page.locator('.thread-row').first().waitFor();
    await expect.poll(() => threadIds(page)).toEqual(newestFirst.slice(20));
    await page.reload();
    await page.locator('.thread-row').first().waitFor();
    await expect.poll(() => threadIds(page)).toEqual(newestFirst.slice(20));
    await expect(page.locator('.pager a').allTextContents()).resolves.toEqual(['← Newer']);

    await page.click('text=← Newer');
    await page.waitForURL('**/ui?before=*');
    await expect.poll(() => threadIds(page)).toEqual(newestFirst.slice(0, 20));
    await page.goBack();
    await page.waitForURL(`**/ui?after=${newestFirst[19]}`);
    await expect.poll(() => threadIds(page)).toEqual(newestFirst.slice(20));

    await page.fill('#filter', 'project=demo');
    await page.press('#filter', 'Enter');
    await page.waitForURL('**/ui?filter=project%3Ddemo');
    await page.locator('.thread-row').first().waitFor();
    await expect.poll(() => threadIds(page)).toEqual([...demo].reverse());
    await expect(page.locator('.thread-row').first().locator('.chip').allTextContents()).resolves.toEqual([
      'project: demo',
      'n: 19',
    ]);

    await page.fill('#filter', 'project=none');
    await page.press('#filter', 'Enter');
    await page.locator('.empty').waitFor();
    await expect(page.locator('.empty').textContent()).resolves.toBe('No thread has this metadata.');
    await page.fill('#filter', 'just-a-word');
    await page.press('#filter', 'Enter');
    await page.locator('.error').waitFor();
    await expect(page.locator('.error').textContent()).resolves.toBe(
      "Write the filter as key=value (several separated by commas), not 'just-a-word'.",
    );

    await page.fill('#find-id', created[4]!);
    await page.press('#find-id', 'Enter');
    await page.waitForURL(`**/ui/threads/${created[4]}`);
    await expect(page.locator('h1').textContent()).resolves.toBe(created[4]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a thread of 60 messages, with an image, attachments, metadata and tool resources, loads page by page', async () => {
    const thread = await create(KEYS.thread, '/threads', {
      metadata: { customer: 'c-42', channel: 'web' },
      tool_resources: {
        code_interpreter: { file_ids: ['file-code1'] },
        file_search: { vector_store_ids: ['vs_docs'] },
      },
    });
    await create(KEYS.thread, `/threads/${thread.id}/messages`, {
      role: 'user',
      content: [
        { type: 'text', text: 'message 1: what is in this picture?' },
        { type: 'image_url', image_url: { url: imageUrl, detail: 'low' } },
        { type: 'image_file', image_file: { file_id: 'file-picture2' } },
      ],
      attachments: [{ file_id: 'file-report3', tools: [{ type: 'file_search' }] }],
      metadata: { source: 'upload' },
    });
    for (let number = 2; number <= 60; number++) {
      const role = number % 2 === 0 ? 'assistant' : 'user';
      await create(KEYS.thread, `/threads/${thread.id}/messages`, { role, content: `message ${number}` });
    }

    const { context, page, problems } = await tabWithKey(KEYS.thread, { viewport: { width: 1000, height: 900 } });
    await page.goto(`${server.baseURL}/ui`);
    await page.click(`a[href="/ui/threads/${thread.id}"]`);
    await page.waitForURL(`**/ui/threads/${thread.id}`);
    await page.locator('.entry').first().waitFor();
    await page.reload();
    await page.locator('.entry').first().waitFor();
    await expect(page.locator('h1').textContent()).resolves.toBe(thread.id);
    await expect(page.locator('.facts').allTextContents()).resolves.toEqual([
      'Metadatacustomerc-42channelweb',
      'Tool resourcescode_interpreter file: file-code1file_search vector store: vs_docs',
    ]);
    await expect.poll(() => page.locator('.entry').count()).toBe(20);

    const first = page.locator('.entry').first();
    await expect(first.locator('.role').textContent()).resolves.toBe('user');
    await expect(first.locator('time').getAttribute('datetime')).resolves.toMatch(/^\d{4}-\d\d-\d\dT/);
    await expect(first.locator('.text').textContent()).resolves.toBe('message 1: what is in this picture?');
    await expect(first.locator('.chip').allTextContents()).resolves.toEqual([
      'image file: file-picture2',
      'attachment: file-report3 (file_search)',
    ]);
    await expect(first.locator('.pairs').textContent()).resolves.toBe('sourceupload');
    const image = first.locator('img');
    await expect(image.getAttribute('src')).resolves.toBe(imageUrl);
    await image.evaluate((element: HTMLImageElement) => element.decode());
    await expect(image.evaluate((element: HTMLImageElement) => element.naturalWidth)).resolves.toBe(120);
    expect(imageRequests.length).toBeGreaterThan(0);
    expect(imageRequests.every((headers) => headers.referer === undefined)).toBe(true);

    await page.screenshot({
      path: new URL('ui-thread.png', ARTIFACTS).pathname,
      clip: { x: 0, y: 0, width: 1000, height: 640 },
    });
    await page.click('button.more');
    await expect.poll(() => page.locator('.entry').count()).toBe(40);
    // The keyboard does it too.
    await page.focus('button.more');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.entry').count()).toBe(60);
    await expect(page.locator('button.more').isHidden()).resolves.toBe(true);
    const texts = await page.locator('.entry .text').allTextContents();
    expect(texts).toEqual([
      'message 1: what is in this picture?',
      ...Array.from({ length: 59 }, (_, index) => `message ${index + 2}`),
    ]);
    await expect(page.locator('.entry .role').allTextContents()).resolves.toEqual(
      Array.from({ length: 60 }, (_, index) => (index % 2 === 0 ? 'user' : 'assistant')),
    );
    await expect(page.locator('[role=status]').textContent()).resolves.toBe('60 shown.');

    // Readable on a phone: nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(375);
    await page.screenshot({ path: new URL('ui-thread-phone.png', ARTIFACTS).pathname });
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a message whose text is markup shows as text, and no script of it runs', async () => {
    const markup = '<img src=x onerror=alert(1)>';
    const thread = await create(KEYS.thread, '/threads', { metadata: { '<b>key</b>': '<script>alert(2)</script>' } });
    await create(KEYS.thread, `/threads/${thread.id}/messages`, { role: 'user', content: markup });
    const { context, page, dialogs } = await tabWithKey(KEYS.thread);
    const response = await page.goto(`${server.baseURL}/ui/threads/${thread.id}`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    await page.locator('.entry').first().waitFor();
    await expect(page.locator('.entry .text').textContent()).resolves.toBe(markup);
    await expect(page.locator('.entry img, .facts img, .facts script, .facts b').count()).resolves.toBe(0);
    await expect(page.locator('.facts').first().textContent()).resolves.toBe(
      'Metadata<b>key</b><script>alert(2)</script>',
    );
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  test("another tenant's thread is not reachable: the API's own 404", async () => {
    const thread = await create(KEYS.thread, '/threads', { messages: [{ role: 'user', content: 'private words' }] });
    const { context, page } = await tabWithKey(KEYS.other);
    await page.goto(`${server.baseURL}/ui/threads/${thread.id}`);
    await page.locator('.error').waitFor();
    await expect(page.locator('.error').textContent()).resolves.toBe(`No thread found with id '${thread.id}'.`);
    await expect(page.locator('body').textContent()).resolves.not.toContain('private words');
    await page.goto(`${server.baseURL}/ui`);
    await page.locator('.empty').waitFor();
    await expect(page.locator('.thread-row').count()).resolves.toBe(0);
    await context.close();
  });

  test('deletes a message and then the thread, each after a confirmation', async () => {
    const thread = await create(KEYS.thread, '/threads', {
      messages: [
        { role: 'user', content: 'keep me' },
        { role: 'assistant', content: 'delete me' },
      ],
    });
    const { context, page } = await tabWithKey(KEYS.thread);
    await page.goto(`${server.baseURL}/ui/threads/${thread.id}`);
    await page.locator('.entry').nth(1).waitFor();
    const doomed = page.locator('.entry', { hasText: 'delete me' });
    const messageId = await doomed.getAttribute('data-id');

    await doomed.locator('button', { hasText: 'Delete' }).click();
    await page.locator('dialog[open]').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('.entry').count()).toBe(2);

    await doomed.locator('button', { hasText: 'Delete' }).click();
    await page.click('dialog button.danger');
    await expect.poll(() => page.locator('.entry').count()).toBe(1);
    await expect(call(KEYS.thread, 'GET', `/threads/${thread.id}/messages/${messageId}`)).resolves.toMatchObject({
      status: 404,
    });

    await page.click('button:has-text("Delete thread")');
    await page.click('dialog button.danger');
    await page.waitForURL(`${server.baseURL}/ui`);
    await expect(call(KEYS.thread, 'GET', `/threads/${thread.id}`)).resolves.toMatchObject({ status: 404 });
    await context.close();
  });

  test('follows the system colour scheme', async () => {
    const thread = await create(KEYS.thread, '/threads', {
      metadata: { theme: 'dark' },
      messages: [
        { role: 'user', content: 'Does this read well at night?' },
        { role: 'assistant', content: 'It follows prefers-color-scheme.' },
      ],
    });
    const background = async (colorScheme: 'light' | 'dark') => {
      const { context, page } = await tabWithKey(KEYS.thread, { colorScheme, viewport: { width: 900, height: 520 } });
      await page.goto(`${server.baseURL}/ui/threads/${thread.id}`);
      await page.locator('.entry').nth(1).waitFor();
      const color = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.screenshot({ path: new URL(`ui-thread-${colorScheme}.png`, ARTIFACTS).pathname });
      await context.close();
      return color;
    };
    await expect(background('light')).resolves.toBe('rgb(246, 247, 249)');
    await expect(background('dark')).resolves.toBe('rgb(15, 18, 22)');
  });

  test('tool calls and their outputs, from the Conversations view, show as compact cards', async () => {
    const thread = await create(KEYS.thread, '/threads', {
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    });
    const added = await call(KEYS.thread, 'POST', `/conversations/${thread.id}/items`, {
      items: [
        { type: 'function_call', call_id: 'call_weather1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_weather1', output: '{"temperature_c":18}' },
        { type: 'message', role: 'assistant', content: 'It is 18 °C in Paris.' },
      ],
    });
    expect(added.status).toBe(200);

    const { context: tab, page, problems } = await tabWithKey(KEYS.thread);
    await page.goto(`${server.baseURL}/ui/threads/${thread.id}`);
    await page.locator('.entry').nth(3).waitFor();
    await expect(
      page.locator('.entry').evaluateAll((entries) => entries.map((entry) => entry.className)),
    ).resolves.toEqual([
      'entry message role-user',
      'entry card type-function_call',
      'entry card type-function_call_output',
      'entry message role-assistant',
    ]);
    const call1 = page.locator('.type-function_call');
    await expect(call1.locator('summary').textContent()).resolves.toBe(
      'Tool callget_weather({"city":"Paris"})call_weather1',
    );
    await expect(call1.locator('pre').isVisible()).resolves.toBe(false);
    await call1.locator('summary').focus();
    await page.keyboard.press('Enter');
    await expect(call1.locator('pre').textContent()).resolves.toBe('{\n  "city": "Paris"\n}');
    await expect(page.locator('.type-function_call_output .card-title').textContent()).resolves.toBe(
      '{"temperature_c":18}',
    );
    // The messages keep their thread-view details (time) beside the items.
    await expect(page.locator('.role-user time').count()).resolves.toBe(1);
    await page.screenshot({ path: new URL('ui-tool-call.png', ARTIFACTS).pathname });
    expect(problems).toEqual([]);
    await tab.close();
  });
});
