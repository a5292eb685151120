import { createHash } from 'node:crypto';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { incorrectApiKey, tooManyFailedKeys } from '../errors.js';
import { AuthFailureLimit } from './failure-limit.js';
import { type ApiKey, KeyRing, maskKey } from './key-ring.js';
import { presentedApiKey } from './presented-key.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The API keys in force: shared by every mount, replaced on SIGHUP (server.ts). */
    keys: KeyRing;
    /** The hook a scope adds to require a key (api.ts), while the server has keys. */
    authenticate: onRequestHookHandler;
  }
  interface FastifyRequest {
    /** A hash of the presented API key ('' without keys): what the rate limit counts by. */
    apiKeyHash: string;
  }
}

export interface AuthOptions {
  apiKeys: ApiKey[];
  /** Incorrect keys an address may send per minute before it gets 429. */
  failuresPerMinute: number;
}

/**
 * Builds the key ring and the limit on failed keys, once per app. With API keys configured, every request
 * of a scope that adds `app.authenticate` (api.ts does, when there are keys) must carry one; the key decides `request.tenant`. An address that
 * sent too many incorrect keys gets 429 until its window ends. Without keys the server is open, one tenant.
 */
async function auth(app: FastifyInstance, options: AuthOptions) {
  const keys = new KeyRing(options.apiKeys);
  const failures = new AuthFailureLimit(options.failuresPerMinute);
  app.decorate('keys', keys);
  app.decorateRequest('apiKeyHash', '');
  app.decorate('authenticate', (request, _reply, done) => {
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
}

export default fp(auth, { name: 'auth' });
