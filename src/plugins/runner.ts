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
  /** Unfinished runs a tenant may have, runs this replica may execute, at once (run-limits.ts). */
  limits: { perTenant: number; perReplica: number };
}

declare module 'fastify' {
  interface FastifyInstance {
    runner: Runner;
  }
}

export interface RunnerOptions {
  expirySeconds: number;
  leaseSeconds: number;
  shutdownGraceSeconds: number;
  perTenant: number;
  perReplica: number;
}

/**
 * Executes runs against the upstream. Registered after the store and the upstream; closed before the
 * store (Fastify closes plugins in reverse order), so turns in flight stop before the database closes.
 */
export default fp(
  async function runnerPlugin(app: FastifyInstance, options: RunnerOptions) {
    const bus = new RunBus();
    const upstream = app.upstream;
    const metrics = runMetrics(app.metrics, bus, () => scheduler?.executing ?? 0);
    const scheduler =
      upstream === undefined
        ? undefined
        : new Scheduler(createExecutor({ store: app.store, upstream, bus, log: app.log }), app.store, bus, {
            sweepMs: Math.min(1_000, options.expirySeconds * 500, options.leaseSeconds * 500),
            leaseMs: options.leaseSeconds * 1_000,
            drainMs: options.shutdownGraceSeconds * 1_000,
            maxExecuting: options.perReplica,
            log: app.log,
            tookOver: metrics.tookOver,
          });
    app.decorate('runner', {
      bus,
      scheduler,
      expirySeconds: options.expirySeconds,
      limits: { perTenant: options.perTenant, perReplica: options.perReplica },
    });
    app.addHook('onClose', async () => scheduler?.close());
  },
  { name: 'runner', dependencies: ['store', 'upstream', 'metrics'] },
);
