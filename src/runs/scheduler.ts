import type { RunRef } from '../store/run-types.js';
import type { Store } from '../store/types.js';
import type { Executor, StopReason } from './executor.js';

const seconds = () => Math.floor(Date.now() / 1000);

/** Runs expired per sweep at most; the next sweep takes the rest. */
const SWEEP_BATCH = 100;

interface Running {
  controller: AbortController;
  stop?: StopReason;
  done: Promise<void>;
  /** Asked to start while this turn was ending: the next turn starts once it has. */
  again?: boolean;
}

export interface SchedulerOptions {
  /** How often unfinished runs past `expires_at` are looked for. */
  sweepMs: number;
  log: { error(details: object, message: string): void };
}

/**
 * Starts runs' turns in this process, stops them (cancel, expiry, shutdown) and sweeps for runs past
 * their `expires_at`. What a run has done is in the store; what runs here is only the turn in flight.
 */
export class Scheduler {
  readonly #running = new Map<string, Running>();
  readonly #sweep: NodeJS.Timeout;
  #closed = false;

  constructor(
    private readonly executor: Executor,
    private readonly store: Store,
    private readonly options: SchedulerOptions,
  ) {
    this.#sweep = setInterval(() => void this.expireDue(), options.sweepMs);
    this.#sweep.unref();
  }

  /** How many runs have a turn executing here now. */
  get executing(): number {
    return this.#running.size;
  }

  /**
   * Starts the run's next turn in the background. While a turn of the run is still ending here, the next
   * starts after it (a turn only starts from `queued`, so a start that finds nothing to do does nothing).
   */
  start(ref: RunRef): void {
    if (this.#closed) return;
    const current = this.#running.get(ref.runId);
    if (current) {
      current.again = true;
      return;
    }
    const controller = new AbortController();
    const running: Running = { controller, done: Promise.resolve() };
    running.done = this.executor
      .execute(ref, controller.signal, () => running.stop)
      .catch((error: unknown) => this.options.log.error({ err: error, runId: ref.runId }, 'run execution failed'))
      .finally(() => {
        this.#running.delete(ref.runId);
        if (running.again && running.stop === undefined) this.start(ref);
      });
    this.#running.set(ref.runId, running);
  }

  /** Stops the run's turn if one runs here (the executor then settles it), else settles it at once. */
  async #stop(ref: RunRef, reason: 'cancel' | 'expire'): Promise<void> {
    const running = this.#running.get(ref.runId);
    if (running) {
      running.stop = reason;
      running.controller.abort(new Error(`run ${reason}`));
      return running.done;
    }
    await this.executor.settle(ref, reason);
  }

  /** For a run already marked `cancelling`. */
  cancel(ref: RunRef): Promise<void> {
    return this.#stop(ref, 'cancel');
  }

  async expireDue(): Promise<void> {
    if (this.#closed) return;
    try {
      for (const ref of await this.store.runs.due(seconds(), SWEEP_BATCH)) await this.#stop(ref, 'expire');
    } catch (error) {
      this.options.log.error({ err: error }, 'run expiry sweep failed');
    }
  }

  /** Stops every turn in flight, leaving each run as the store has it, and waits for them. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    const running = [...this.#running.values()];
    for (const run of running) {
      run.stop = 'close';
      run.controller.abort(new Error('server closing'));
    }
    await Promise.all(running.map((run) => run.done));
  }
}
