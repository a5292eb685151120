import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type KeyRing, maskKey } from '../api-keys.js';
import { incorrectApiKey } from '../errors.js';
import { presentedApiKey } from '../presented-api-key.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** A hash of the presented API key ('' without keys): what the rate limit counts by. */
    apiKeyHash: string;
  }
}

/**
 * With API keys configured, every request of the scope it is registered in must carry one; the key
 * decides `request.tenant`. Without keys it does nothing: the server is open, one tenant.
 */
export default fp(async function auth(app: FastifyInstance, options: { keys: KeyRing }) {
  const { keys } = options;
  if (!app.hasRequestDecorator('apiKeyHash')) app.decorateRequest('apiKeyHash', '');
  if (keys.size === 0) return;
  app.addHook('onRequest', (request, _reply, done) => {
    const presented = presentedApiKey(request.headers);
    if ('error' in presented) return done(presented.error);
    const token = presented.key;
    const tenant = keys.tenantOf(token);
    if (tenant === undefined) return done(incorrectApiKey(maskKey(token)));
    request.tenant = tenant;
    request.apiKeyHash = createHash('sha256').update(token).digest('hex');
    done();
  });
});
