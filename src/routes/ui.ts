import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** ui/ sits two levels up from both src/routes and dist/routes. */
const UI_DIR = new URL('../../ui/', import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Only this server's own scripts and styles, and only its own API; images from any http(s) host, since
 * an `image_url` part may name any (they are loaded without a referrer, so a thread's link does not leak).
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: http:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  type: string;
}

/** Every file of ui/, read once at start-up: the viewer is a handful of small files. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(UI_DIR)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type !== undefined) assets.set(name, { body: readFileSync(new URL(name, UI_DIR)), type });
  }
  return assets;
}

function send(reply: FastifyReply, asset: Asset) {
  return reply
    .type(asset.type)
    .header('content-security-policy', UI_CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .send(asset.body);
}

/**
 * The thread viewer at /ui: static files only, served without an API key. The page itself calls the
 * public API with the key its user types in, so it adds no authority of its own. Hidden from the OpenAPI document.
 */
export const uiRoutes: FastifyPluginAsync = async (app) => {
  const assets = loadAssets();
  const page = assets.get('index.html');
  if (page === undefined) throw new Error('ui/index.html is missing');
  const hidden = { schema: { hide: true } };

  for (const url of ['/ui', '/ui/', '/ui/threads/:thread_id'])
    app.get(url, hidden, async (_request, reply) => send(reply, page));
  app.get<{ Params: { file: string } }>('/ui/assets/:file', hidden, async (request, reply) => {
    const asset = request.params.file === 'index.html' ? undefined : assets.get(request.params.file);
    if (asset === undefined) return reply.callNotFound();
    return send(reply, asset);
  });
};
