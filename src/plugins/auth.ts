import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type KeyRing, maskKey } from '../api-keys.js';
import type { AuthFailureLimit } from '../auth-failure-limit.js';
import { incorrectApiKey, missingApiKey, tooManyFailedKeys } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** A hash of the presented API key ('' without keys): what the rate limit counts by. */
    apiKeyHash: string;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
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
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) return done(missingApiKey());
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
