import type { FastifyPluginAsync } from 'fastify';

/** GET /metrics in Prometheus' text format, from the registry of metrics/plugin.ts. */
export const metricsRoute: FastifyPluginAsync = async (app) => {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(app.metrics.contentType).send(await app.metrics.metrics()),
  );
};
