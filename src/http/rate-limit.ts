import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { rateLimited } from '../errors.js';

/** @fastify/rate-limit's header names, and OpenAI's for the same numbers. */
const OPENAI_HEADERS = {
  'x-ratelimit-limit': 'x-ratelimit-limit-requests',
  'x-ratelimit-remaining': 'x-ratelimit-remaining-requests',
  'x-ratelimit-reset': 'x-ratelimit-reset-requests',
} as const;

/**
 * A fixed window of one minute per API key (per client address when the server runs without keys).
 * Registered before the routes; its check runs after the API key hook, so it counts by a verified key.
 */
async function rateLimit(app: FastifyInstance, options: { perMinute: number }) {
  await app.register(fastifyRateLimit, {
    max: options.perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.apiKeyHash || request.ip,
    allowList: (request) => request.routeOptions.url === '/health',
    errorResponseBuilder: (_request, context) => rateLimited(context.max, Math.max(1, Math.ceil(context.ttl / 1000))),
  });

  app.addHook('onSend', async (_request, reply) => {
    for (const [theirs, openai] of Object.entries(OPENAI_HEADERS)) {
      const value = reply.getHeader(theirs);
      if (value === undefined) continue;
      reply.removeHeader(theirs);
      // OpenAI writes the reset as a duration ("20s"); the plugin gives seconds.
      reply.header(openai, theirs === 'x-ratelimit-reset' ? `${String(value)}s` : value);
    }
  });
}

export default fp(rateLimit, { name: 'rate-limit', dependencies: ['auth'] });
