import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { runMetrics } from '../metrics/run-metrics.js';
import { createExecutor } from '../runs/executor.js';
import { RunBus } from '../runs/run-bus.js';
import { Scheduler } from '../runs/scheduler.js';

export interface Runner {
  bus: RunBus;
  /** Undefined when no upstream is configured: runs cannot be created then. */
  scheduler: Scheduler | undefined;
  expirySeconds: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    runner: Runner;
  }
}

export interface RunnerOptions {
  expirySeconds: number;
}

/**
 * Executes runs against the upstream. Registered after the store and the upstream; closed before the
 * store (Fastify closes plugins in reverse order), so turns in flight stop before the database closes.
 */
export default fp(
  async function runnerPlugin(app: FastifyInstance, options: RunnerOptions) {
    const bus = new RunBus();
    const upstream = app.upstream;
    const scheduler =
      upstream === undefined
        ? undefined
        : new Scheduler(createExecutor({ store: app.store, upstream, bus, log: app.log }), app.store, {
            sweepMs: Math.min(1_000, options.expirySeconds * 500),
            log: app.log,
          });
    runMetrics(app.metrics, bus, () => scheduler?.executing ?? 0);
    app.decorate('runner', { bus, scheduler, expirySeconds: options.expirySeconds });
    app.addHook('onClose', async () => scheduler?.close());
  },
  { name: 'runner', dependencies: ['store', 'upstream', 'metrics'] },
);
