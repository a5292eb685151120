import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { RequestMetrics } from './request-metrics.js';
import { UNFINISHED } from '../runs/lifecycle.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's own Prometheus registry: apps never share metrics (tests build many). */
    metrics: Registry;
  }
}

/** Requests that matched no route share one label, so probing random URLs cannot grow the series. */
const UNMATCHED_ROUTE = 'unmatched';

/** How long one count of what is stored serves the gauges: scrapes within it (and at once) share it. */
export const METRICS_COUNT_TTL_MS = 5_000;

/** `count()`'s answer, reused for `ttlMs` after it settles; callers meanwhile share the one in flight. */
function shared<T>(count: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let latest: { value: Promise<T>; until: number } | undefined;
  return () => {
    if (latest && Date.now() < latest.until) return latest.value;
    const value = count();
    const entry = { value, until: Number.POSITIVE_INFINITY };
    latest = entry;
    value.then(
      () => {
        entry.until = Date.now() + ttlMs;
      },
      () => {
        if (latest === entry) latest = undefined;
      },
    );
    return value;
  };
}

/**
 * Counts every request and its latency by method, route pattern and status, and reports how many
 * threads, messages and assistants are stored, and how many runs are unfinished. The upstream and the runner
 * add their own (metrics/run-metrics.ts). The /metrics route itself is `metricsRoute` (metrics/route.ts),
 * mounted by app.ts either in the open or behind the API key.
 */
async function metrics(app: FastifyInstance) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new RequestMetrics();
  registry.registerMetric(
    requests.counter('http_requests_total', 'HTTP requests answered, by method, route pattern and status.'),
  );
  registry.registerMetric(
    requests.histogram(
      'http_request_duration_seconds',
      'Time from receiving a request to sending its response, by method, route pattern and status.',
    ),
  );
  const stats = shared(() => app.store.stats(), METRICS_COUNT_TTL_MS);
  new Gauge({
    name: 'threadstore_threads',
    help: 'Threads stored, across all tenants.',
    registers: [registry],
    async collect() {
      this.set((await stats()).threads);
    },
  });
  new Gauge({
    name: 'threadstore_messages',
    help: 'Messages stored, across all tenants.',
    registers: [registry],
    async collect() {
      this.set((await stats()).messages);
    },
  });
  new Gauge({
    name: 'threadstore_assistants',
    help: 'Assistants stored, across all tenants.',
    registers: [registry],
    async collect() {
      this.set((await stats()).assistants);
    },
  });

  const unfinished = shared(() => app.store.runs.unfinished(), METRICS_COUNT_TTL_MS);
  new Gauge({
    name: 'threadstore_runs',
    help: 'Unfinished runs stored, across all tenants and replicas, by status.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await unfinished();
      for (const status of UNFINISHED) this.set({ status }, counts[status] ?? 0);
    },
  });

  app.decorate('metrics', registry);
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    requests.record(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

export default fp(metrics, { name: 'metrics', dependencies: ['store'] });
