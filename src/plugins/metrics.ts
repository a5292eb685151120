import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's own Prometheus registry: apps never share metrics (tests build many). */
    metrics: Registry;
  }
}

/** Requests that matched no route share one label, so probing random URLs cannot grow the series. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts every request and its latency by method, route pattern and status, and reports how many
 * threads and messages are stored. The /metrics route itself is `metricsRoute` (routes/metrics.ts),
 * mounted by app.ts either in the open or behind the API key.
 */
export default fp(async function metrics(app: FastifyInstance) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response, by method, route pattern and status.',
    labelNames,
    registers: [registry],
  });
  new Gauge({
    name: 'threadstore_threads',
    help: 'Threads stored, across all tenants.',
    registers: [registry],
    async collect() {
      this.set((await app.store.stats()).threads);
    },
  });
  new Gauge({
    name: 'threadstore_messages',
    help: 'Messages stored, across all tenants.',
    registers: [registry],
    async collect() {
      this.set((await app.store.stats()).messages);
    },
  });

  app.decorate('metrics', registry);
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
});
