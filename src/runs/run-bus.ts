import type { MessageObject } from '../schemas/messages.js';
import type { RunStepObject } from '../schemas/run-steps.js';
import type { FunctionToolCallDelta } from '../schemas/run-stream-events.js';
import type { RunObject } from '../schemas/runs.js';
import type { ThreadObject } from '../schemas/threads.js';

/** What happens to a run, as the executor tells it; src/views/run-events.ts makes wire events of it. */
export type RunEvent =
  | { type: 'thread.created'; thread: ThreadObject }
  | { type: 'run.created'; run: RunObject }
  /** The run entered `run.status`. */
  | { type: 'run.status'; run: RunObject }
  | { type: 'step.created'; step: RunStepObject }
  /** The step entered `step.status`. */
  | { type: 'step.status'; step: RunStepObject }
  | { type: 'step.delta'; stepId: string; toolCall: FunctionToolCallDelta }
  | { type: 'message.created'; message: MessageObject }
  /** The message entered `message.status`. */
  | { type: 'message.status'; message: MessageObject }
  | { type: 'message.delta'; messageId: string; text: string; first: boolean };

type Listener = (event: RunEvent) => void;

/** Each run's events to whoever listens now (a stream answering a request); nothing is kept for later. */
export class RunBus {
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #observers: Listener[] = [];

  /** Hears every run's events, for as long as the bus lives (the metrics count run statuses so). */
  observe(observer: Listener): void {
    this.#observers.push(observer);
  }

  /** Listens to one run's events; call the returned function to stop. */
  subscribe(runId: string, listener: Listener): () => void {
    let listeners = this.#listeners.get(runId);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(runId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(runId);
    };
  }

  emit(runId: string, event: RunEvent): void {
    for (const observer of this.#observers) observer(event);
    for (const listener of this.#listeners.get(runId) ?? []) listener(event);
  }
}
