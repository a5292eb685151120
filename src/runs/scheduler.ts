import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RESERVATION_MS } from '../store/engine/run-row.js';
import type { RunLease, RunRef } from '../store/run-types.js';
import type { CreatedHere } from './early-turn.js';
import type { Store } from '../store/types.js';
import type { Executor, StopReason } from './executor.js';
import type { RunBus } from './run-bus.js';
import { failStranded, SERVER_RESTARTED, SERVER_SHUT_DOWN } from './stranded.js';
import { nextSlice } from './time-slices.js';

const seconds = () => Math.floor(Date.now() / 1000);

/** Runs expired, or recovered, per sweep at most; the next sweep takes the rest. */
const SWEEP_BATCH = 100;

/** What a process does with a run it holds: a turn, or settling a run whose turn no one executes. */
type Work = 'execute' | 'fail' | 'cancel' | 'expire';

interface Running {
  controller: AbortController;
  stop?: StopReason;
  done: Promise<void>;
  /** Asked to start while this turn was ending: the next turn starts once it has. */
  again?: boolean;
  /** The lease is held: from here the heartbeat renews it. */
  held?: boolean;
  /** Stopped because the server is closing: the run fails (`SERVER_SHUT_DOWN`) instead of staying as it is. */
  shutdown?: boolean;
}

export interface SchedulerOptions {
  /** How often unfinished runs past `expires_at`, and runs no live process holds, are looked for. */
  sweepMs: number;
  /** How long a lease lasts unless renewed; the heartbeat renews every lease held here each third of it. */
  leaseMs: number;
  /** On close, how long turns in flight may go on before they are stopped and their runs failed. */
  drainMs: number;
  /** Runs executing here at most before a sweep leaves queued runs for another replica (RUNS_PER_REPLICA). */
  maxExecuting: number;
  log: { error(details: object, message: string): void };
  /** Told of each run taken from a process that stopped renewing its lease. */
  tookOver?: () => void;
}

/**
 * Executes runs in this process, each only while it holds the run's lease (the store's run queue): starts
 * turns, stops them (cancel, expiry, shutdown, a lease lost), renews the leases it holds, and sweeps for
 * runs past their `expires_at` and for runs a process that ended left behind (docs/runs.md#restarts-crashes-and-replicas).
 * What a run has done is in the store; what runs here is only the turn in flight.
 */
export class Scheduler {
  /** This process's name on the leases it holds: a new one at every start. */
  readonly owner = randomUUID();
  readonly #running = new Map<string, Running>();
  readonly #sweep: NodeJS.Timeout;
  readonly #heartbeat: NodeJS.Timeout;
  #closed = false;

  constructor(
    private readonly executor: Executor,
    private readonly store: Store,
    private readonly bus: RunBus,
    private readonly options: SchedulerOptions,
  ) {
    this.#sweep = setInterval(() => void this.sweep(), options.sweepMs);
    this.#sweep.unref();
    this.#heartbeat = setInterval(() => void this.heartbeat(), Math.max(50, Math.floor(options.leaseMs / 3)));
    this.#heartbeat.unref();
    // On start-up: the runs a process that ended left behind are recovered at once.
    setImmediate(() => void this.sweep());
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
    this.#launch(ref, 'execute');
  }

  /** The lease a run is created under when this process is to execute it: its first turn needs no claim. */
  newLease(): RunLease {
    return { owner: this.owner, until: Date.now() + this.options.leaseMs };
  }

  /** Starts the first turn of a run created here under `newLease()` and stored started (`created.run`). */
  startCreated(ref: RunRef, created: CreatedHere): void {
    if (!this.#closed) return void this.#launch(ref, 'execute', created);
    // A create that raced the shutdown: its run is held here and started, so it fails as any other cut off.
    created.early?.withdraw();
    void failStranded(this.store, this.bus, ref, SERVER_SHUT_DOWN).catch(this.#logFailure(ref));
  }

  #logFailure = (ref: RunRef) => (error: unknown) =>
    this.options.log.error({ err: error, runId: ref.runId }, 'run execution failed');

  /** `created`: a run created here, held and started already; its first turn needs no claim. */
  #launch(ref: RunRef, work: Work, created?: CreatedHere): Running | undefined {
    if (this.#closed) return undefined;
    const current = this.#running.get(ref.runId);
    if (current) {
      if (work === 'execute') current.again = true;
      return current;
    }
    const running: Running = { controller: new AbortController(), done: Promise.resolve() };
    running.done = this.#hold(ref, running, work, created)
      .catch(this.#logFailure(ref))
      .finally(() => {
        this.#running.delete(ref.runId);
        if (running.again && running.stop === undefined) this.start(ref);
      });
    this.#running.set(ref.runId, running);
    return running;
  }

  /** Does the work while holding the run's lease (claimed first unless `created` here); nothing when a live process holds it. */
  async #hold(ref: RunRef, running: Running, work: Work, created: CreatedHere | undefined): Promise<void> {
    const queue = this.store.runs.queue;
    const claim = created ? { from: null } : await queue.claim(ref, this.owner, Date.now() + this.options.leaseMs);
    if (!claim) return;
    if (claim.from !== null) this.options.tookOver?.();
    running.held = true;
    try {
      // Claims are committed together (a burst of runs started at once): their turns begin a slice at a time.
      await nextSlice();
      if (work === 'fail') return await failStranded(this.store, this.bus, ref, SERVER_RESTARTED);
      if (work !== 'execute') return await this.executor.settle(ref, work);
      await this.executor.execute(ref, running.controller.signal, () => running.stop, created);
      if (running.shutdown) await failStranded(this.store, this.bus, ref, SERVER_SHUT_DOWN);
    } finally {
      running.held = false;
      await queue.release(ref, this.owner, Date.now() + RESERVATION_MS);
    }
  }

  #abort(running: Running, reason: StopReason): void {
    running.stop = reason;
    running.controller.abort(new Error(`run ${reason}`));
  }

  /** Stops the run's turn if one runs here (the executor then settles it), else settles it if no live process holds it. */
  async #stop(ref: RunRef, reason: 'cancel' | 'expire'): Promise<void> {
    const running = this.#running.get(ref.runId);
    if (running) {
      this.#abort(running, reason);
      return running.done;
    }
    await this.#launch(ref, reason)?.done;
  }

  /** For a run already marked `cancelling`. Held by another replica, that replica sees it at its next heartbeat. */
  cancel(ref: RunRef): Promise<void> {
    return this.#stop(ref, 'cancel');
  }

  /**
   * Renews the leases held here. A run cancelled elsewhere is stopped as cancelled; a run whose lease
   * another process took, or that another process settled, is stopped and left as the store has it.
   */
  async heartbeat(): Promise<void> {
    // Only leases held before the renewal is sent are judged by its answer: one claimed meanwhile is not in it.
    const held = [...this.#running].filter(([, running]) => running.held);
    if (held.length === 0) return;
    try {
      const renewed = await this.store.runs.queue.renew(this.owner, Date.now() + this.options.leaseMs);
      const statuses = new Map(renewed.map((run) => [run.runId, run.status]));
      for (const [runId, running] of held) {
        if (!running.held || running.stop !== undefined) continue;
        const status = statuses.get(runId);
        if (status === 'cancelling') this.#abort(running, 'cancel');
        else if (status === undefined || status === 'cancelled' || status === 'expired') this.#abort(running, 'close');
      }
    } catch (error) {
      this.options.log.error({ err: error }, 'run lease renewal failed');
    }
  }

  /** Expires runs past `expires_at`, then recovers runs no live process holds: queued start, in progress fail, cancelling settle. */
  async sweep(): Promise<void> {
    if (this.#closed) return;
    try {
      for (const ref of await this.store.runs.due(seconds(), SWEEP_BATCH)) await this.#stop(ref, 'expire');
      for (const run of await this.store.runs.queue.stranded(this.owner, Date.now(), SWEEP_BATCH)) {
        const { tenant, threadId, runId } = run;
        const work = run.status === 'queued' ? 'execute' : run.status === 'in_progress' ? 'fail' : 'cancel';
        if (work === 'execute' && this.executing >= this.options.maxExecuting) continue;
        if (!this.#running.has(runId)) this.#launch({ tenant, threadId, runId }, work);
      }
    } catch (error) {
      this.options.log.error({ err: error }, 'run sweep failed');
    }
  }

  /**
   * Takes no new work, lets turns in flight finish for `drainMs`, then stops the rest: their runs fail
   * (`SERVER_SHUT_DOWN`). Leases are renewed until every turn here has ended.
   */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    const timer = new AbortController();
    const all = () => Promise.all([...this.#running.values()].map((run) => run.done));
    await Promise.race([all(), sleep(this.options.drainMs, undefined, { signal: timer.signal }).catch(() => {})]);
    timer.abort();
    for (const running of this.#running.values()) {
      if (running.stop !== undefined) continue;
      running.shutdown = true;
      this.#abort(running, 'close');
    }
    await all();
    clearInterval(this.#heartbeat);
  }
}
