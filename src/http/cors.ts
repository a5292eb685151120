import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Lets browsers on the configured origins call the API (and answers their preflight requests). */
async function cors(app: FastifyInstance, options: { origins: string[] }) {
  await app.register(fastifyCors, {
    origin: options.origins.includes('*') ? '*' : options.origins,
    methods: ['GET', 'POST', 'DELETE'],
    exposedHeaders: [
      'x-request-id',
      'retry-after',
      'x-ratelimit-limit-requests',
      'x-ratelimit-remaining-requests',
      'x-ratelimit-reset-requests',
    ],
    maxAge: 600,
  });
}

export default fp(cors, { name: 'cors' });
