import type { RunObject } from '../schemas/runs.js';
import type { ItemRecord } from '../store/records.js';
import type { CreatedRun } from '../store/run-types.js';
import type { ChatUpstream } from '../upstream/chat-completions.js';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../upstream/chat-types.js';
import { chatRequestOf } from '../views/chat-prompt.js';
import { NO_USAGE } from './lifecycle.js';

/**
 * A run's first model turn, sent while its create is still being written (docs/runs.md#how-a-run-is-stored):
 * the request goes out as soon as the run is planned, built from the thread as read beside the plan. The
 * executor takes the turn only when the request it builds from what the create wrote is the same one;
 * otherwise, and whenever the create does not stand, the turn is withdrawn before the run uses its answer.
 */
export class EarlyTurn {
  readonly #controller = new AbortController();
  readonly #request: ChatCompletionRequest;
  readonly #chunks: AsyncIterator<ChatCompletionChunk>;
  readonly #first: Promise<IteratorResult<ChatCompletionChunk>>;
  #settled = false;

  /** Sends the first turn of `run` (planned, not yet stored) on the thread's `messages`, as the executor would. */
  constructor(upstream: ChatUpstream, run: RunObject, messages: ItemRecord[]) {
    const model = upstream.model(run.model);
    this.#request = chatRequestOf({ run, messages, steps: [], model, spent: NO_USAGE });
    this.#chunks = upstream.stream(this.#request, { signal: this.#controller.signal })[Symbol.asyncIterator]();
    // Asking for the first chunk sends the request; its failure is the taker's, if anyone takes it.
    this.#first = this.#chunks.next();
    this.#first.catch(() => undefined);
  }

  /**
   * The turn's chunks when `request` is the one sent and `signal` has not aborted (they stop when it does);
   * else undefined, and the turn is withdrawn. A turn is taken once.
   */
  take(request: ChatCompletionRequest, signal: AbortSignal): AsyncIterator<ChatCompletionChunk> | undefined {
    // A run stopped before its turn began reads nothing of the answer, not even a first chunk already in.
    if (this.#settled || signal.aborted || JSON.stringify(request) !== JSON.stringify(this.#request)) {
      this.withdraw();
      return undefined;
    }
    this.#settled = true;
    signal.addEventListener('abort', () => this.#controller.abort(signal.reason), { once: true });
    let first: Promise<IteratorResult<ChatCompletionChunk>> | undefined = this.#first;
    return {
      next: () => {
        const next = first ?? this.#chunks.next();
        first = undefined;
        return next;
      },
    };
  }

  /** Closes the request unless the turn was taken; again, nothing. */
  withdraw(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#controller.abort(new Error('the run create did not stand'));
  }
}

/** A run just created here, as its first turn starts: with the early turn its create sent, if it sent one. */
export interface CreatedHere extends CreatedRun {
  early?: EarlyTurn;
}
