import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type KeyRing, maskKey } from './key-ring.js';
import type { AuthFailureLimit } from './failure-limit.js';
import { incorrectApiKey, tooManyFailedKeys } from '../errors.js';
import { presentedApiKey } from './presented-key.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** A hash of the presented API key ('' without keys): what the rate limit counts by. */
    apiKeyHash: string;
  }
}

/**
 * With API keys configured, every request of the scope it is registered in must carry one; the key
 * decides `request.tenant`. An address that sent too many incorrect keys gets 429 until its window ends.
 * Without keys it does nothing: the server is open, one tenant.
 */
export default fp(async function auth(app: FastifyInstance, options: { keys: KeyRing; failures: AuthFailureLimit }) {
  const { keys, failures } = options;
  if (!app.hasRequestDecorator('apiKeyHash')) app.decorateRequest('apiKeyHash', '');
  if (keys.size === 0) return;
  app.addHook('onRequest', (request, _reply, done) => {
    const presented = presentedApiKey(request.headers);
    if ('error' in presented) return done(presented.error);
    const token = presented.key;
    const wait = failures.retryAfter(request.ip);
    if (wait > 0) return done(tooManyFailedKeys(wait));
    const tenant = keys.tenantOf(token);
    if (tenant === undefined) {
      failures.recordFailure(request.ip);
      return done(incorrectApiKey(maskKey(token)));
    }
    request.tenant = tenant;
    request.apiKeyHash = createHash('sha256').update(token).digest('hex');
    done();
  });
});
