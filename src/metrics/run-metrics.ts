import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { STREAM_ENDS, UNFINISHED } from '../runs/lifecycle.js';
import type { RunBus } from '../runs/run-bus.js';
import type { UpstreamObserver } from '../upstream/chat-completions.js';

/** Seconds to a turn's first chunk: a local model answers in tens of milliseconds, a loaded hosted one in seconds. */
const FIRST_CHUNK_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds of a whole turn: long answers stream for a minute or more. */
const TURN_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The upstream's side of runs, as the Chat Completions client reports it (chat-completions.ts): latency to
 * the first chunk and of the whole turn, turns failed by the code they give the run's `last_error`, retries.
 */
export function upstreamMetrics(registry: Registry): UpstreamObserver {
  const firstChunk = new Histogram({
    name: 'threadstore_upstream_first_chunk_seconds',
    help: 'Time from sending a model turn to the upstream to its first chunk, retries included.',
    buckets: FIRST_CHUNK_BUCKETS,
    registers: [registry],
  });
  const turn = new Histogram({
    name: 'threadstore_upstream_turn_seconds',
    help: 'Time from sending a model turn to the upstream to its end ([DONE]), for turns that ended so.',
    buckets: TURN_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'threadstore_upstream_errors_total',
    help: "Model turns that failed at the upstream, after any retries, by the code they give the run's last_error.",
    labelNames: ['code'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'threadstore_upstream_retries_total',
    help: 'Model turns sent to the upstream again after a failure before their first chunk, by the failure code.',
    labelNames: ['code'],
    registers: [registry],
  });
  for (const code of ['server_error', 'rate_limit_exceeded', 'invalid_prompt']) {
    errors.inc({ code }, 0);
    retries.inc({ code }, 0);
  }
  return {
    firstChunk: (seconds) => firstChunk.observe(seconds),
    finished: (seconds) => turn.observe(seconds),
    failed: (error) => errors.inc({ code: error.code }),
    retried: (error) => retries.inc({ code: error.code }),
  };
}

/**
 * This process's side of runs: every status a run enters here (from the run bus, where each change is told),
 * the turns executing now, and the runs whose lease it took from a process that stopped renewing it.
 */
export function runMetrics(registry: Registry, bus: RunBus, running: () => number): { tookOver(): void } {
  const entered = new Counter({
    name: 'threadstore_run_status_changes_total',
    help: 'Runs that entered each status in this process (queued counts new runs and runs given their tool outputs).',
    labelNames: ['status'],
    registers: [registry],
  });
  for (const status of new Set([...UNFINISHED, ...STREAM_ENDS])) entered.inc({ status }, 0);
  new Gauge({
    name: 'threadstore_runs_executing',
    help: 'Runs with a model turn executing in this process now.',
    registers: [registry],
    collect() {
      this.set(running());
    },
  });
  bus.observe((event) => {
    if (event.type === 'run.status') entered.inc({ status: event.run.status });
  });
  const takenOver = new Counter({
    name: 'threadstore_run_leases_taken_over_total',
    help: 'Runs this process took over from a process (this one before a restart, or another replica) that stopped renewing its lease.',
    registers: [registry],
  });
  return { tookOver: () => takenOver.inc() };
}
