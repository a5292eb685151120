import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { CHROMIUM, CHROMIUM_FLAGS, haveChromium, warnWithoutChromium } from '../../helpers/chromium.js';
import { builtServerWithScratch, startServerProcess } from '../../helpers/server-process.js';

warnWithoutChromium('ui-built-server');

// What "npm start, then open /ui" does: the compiled server finds ui/ beside dist/ and, without API keys,
// the page shows the stored threads at once. (About the build's layout, so on one engine only.)
describe.skipIf(!haveChromium)('the built server serves the viewer', () => {
  const built = builtServerWithScratch('ui-built');

  test('without API keys the list opens with no key prompt', { timeout: 60_000 }, async () => {
    const server = await startServerProcess(built.entry, { DATABASE_URL: join(built.dir, 'threadstore.db') });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    try {
      const created = await fetch(`${server.baseURL}/v1/threads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { project: 'demo' } }),
      });
      const thread = (await created.json()) as { id: string };
      const page = await browser.newPage();
      await page.goto(`${server.baseURL}/ui`);
      await page.locator('.thread-row').first().waitFor();
      await expect(page.locator('.thread-link code').allTextContents()).resolves.toEqual([thread.id]);
      await expect(page.locator('#forget-key').isHidden()).resolves.toBe(true);
    } finally {
      await browser.close();
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
