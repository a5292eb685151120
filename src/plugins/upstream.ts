import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { upstreamMetrics } from '../metrics/run-metrics.js';
import { createChatUpstream, type ChatUpstream, type UpstreamConfig } from '../upstream/chat-completions.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Chat Completions server runs execute against; undefined when none is configured. */
    upstream: ChatUpstream | undefined;
  }
}

/**
 * Builds the upstream client once per app from its settings (it holds no connection of its own to close),
 * reporting to the app's metrics.
 */
export default fp(
  async function upstreamPlugin(app: FastifyInstance, options: { upstream: UpstreamConfig | undefined }) {
    const upstream =
      options.upstream === undefined ? undefined : createChatUpstream(options.upstream, upstreamMetrics(app.metrics));
    app.decorate('upstream', upstream);
  },
  { name: 'upstream', fastify: '5.x', dependencies: ['metrics'] },
);
