import { afterAll, beforeAll, expect, test } from 'vitest';
import { UI_CONTENT_SECURITY_POLICY } from '../../src/routes/ui.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ API_KEYS: 'sk-ui-routes-0123456789' });
});
afterAll(async () => t.close());

test.each(['/ui', '/ui/', '/ui/threads/thread_abc'])(
  '%s serves the page without an API key, under a strict CSP',
  async (url) => {
    const response = await t.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe(UI_CONTENT_SECURITY_POLICY);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.body).toContain('<script type="module" src="/ui/assets/app.js"></script>');
  },
);

test('the policy allows only own scripts, styles and API calls, and images from http(s) hosts', () => {
  expect(UI_CONTENT_SECURITY_POLICY).toBe(
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http:; connect-src 'self'; " +
      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
});

test.each([
  ['app.js', 'text/javascript; charset=utf-8'],
  ['style.css', 'text/css; charset=utf-8'],
  ['icon.svg', 'image/svg+xml'],
])('/ui/assets/%s is served as %s without an API key', async (file, type) => {
  const response = await t.app.inject({ method: 'GET', url: `/ui/assets/${file}` });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe(type);
});

test.each(['/ui/assets/missing.js', '/ui/assets/index.html', '/ui/assets/..%2Fpackage.json', '/ui/elsewhere'])(
  '%s is the unknown-route 404',
  async (url) => {
    const response = await t.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { message: `Invalid URL (GET ${url})`, type: 'invalid_request_error', param: null, code: null },
    });
  },
);

test('the OpenAPI document leaves the viewer out', () => {
  const paths = Object.keys((t.app.swagger() as { paths: Record<string, unknown> }).paths);
  expect(paths.filter((path) => path.includes('ui'))).toEqual([]);
});
