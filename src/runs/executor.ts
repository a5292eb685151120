import type { RunStepObject } from '../schemas/run-steps.js';
import type { RunObject, RunUsage } from '../schemas/runs.js';
import type { ItemRecord } from '../store/records.js';
import type { RunChange, RunRef, RunUpdate } from '../store/run-types.js';
import type { Store } from '../store/types.js';
import { chatRequestOf, remainingBudgets } from '../views/chat-prompt.js';
import type { ChatUpstream } from '../upstream/chat-completions.js';
import type { ChatCompletionChunk } from '../upstream/chat-types.js';
import { UpstreamError } from '../upstream/upstream-error.js';
import {
  addUsage,
  cancelled,
  complete,
  expire,
  fail,
  incomplete,
  NO_USAGE,
  type RunError,
  requireAction,
  start,
} from './lifecycle.js';
import type { CreatedHere } from './early-turn.js';
import { endOpenTurn } from './open-turn.js';
import { PAGE, readAll } from './read-all.js';
import type { RunBus } from './run-bus.js';
import { nextSlice } from './time-slices.js';
import { TurnWriter } from './turn-writer.js';

const seconds = () => Math.floor(Date.now() / 1000);

/** Why an executing run was stopped from outside. `close`: the server is shutting down, the run stays as it is. */
export type StopReason = 'cancel' | 'expire' | 'close';

export interface ExecutorDeps {
  store: Store;
  upstream: ChatUpstream;
  bus: RunBus;
  log: { warn(details: object, message: string): void };
}

const usageOf = (steps: RunStepObject[]) => steps.reduce((sum, step) => addUsage(sum, step.usage), NO_USAGE);

/** An upstream failure as the run's `last_error` (RUNS.md: 429 rate limit, 400 invalid prompt, else server error). */
function lastErrorOf(error: unknown): RunError {
  if (error instanceof UpstreamError) return { code: error.code, message: error.message };
  return { code: 'server_error', message: 'The model upstream failed while the run was in progress.' };
}

/** The chunks' tool-call fragments given an index where the upstream left it out (a new id starts a new call). */
function indexOf(fragment: { index?: number; id?: string }, known: { id: string }[]): number {
  if (fragment.index !== undefined) return fragment.index;
  const last = known.at(-1);
  if (last === undefined) return 0;
  return fragment.id !== undefined && fragment.id !== last.id ? known.length : known.length - 1;
}

/**
 * Runs one model turn of a run: load thread and run, ask the upstream, write the message or the tool calls
 * and the steps as they stream, then move the run on (completed, incomplete, failed or requires_action).
 * Every change is a store write first, then an event on the run's bus.
 */
export function createExecutor({ store, upstream, bus, log }: ExecutorDeps) {
  async function transition(ref: RunRef, change: RunChange): Promise<RunUpdate | undefined> {
    const update = await store.runs.update(ref.tenant, ref.threadId, ref.runId, change);
    if (update?.applied) bus.emit(ref.runId, { type: 'run.status', run: update.run });
    return update;
  }

  const stepsOf = (ref: RunRef) =>
    readAll((after) =>
      store.runs.steps.list(ref.tenant, ref.threadId, ref.runId, { limit: PAGE, order: 'asc', after }),
    );

  /** Ends a run that was cancelled or expired: its steps still in progress end with it, then the run. */
  async function settle(ref: RunRef, reason: 'cancel' | 'expire'): Promise<void> {
    const at = seconds();
    // A message or step left open (its turn ended elsewhere: a server that stopped) ends with the run.
    const steps =
      reason === 'cancel'
        ? await endOpenTurn(store, bus, ref, 'run_cancelled', { status: 'cancelled', cancelled_at: at })
        : await endOpenTurn(store, bus, ref, 'run_expired', { status: 'expired', expired_at: at });
    const usage = usageOf(steps);
    await transition(ref, reason === 'cancel' ? cancelled(at, usage) : expire(usage));
  }

  /** After a change that did not apply: a run cancelled meanwhile is settled now. */
  async function settleIfCancelling(ref: RunRef, update: RunUpdate | undefined) {
    if (update && !update.applied && update.run.status === 'cancelling') await settle(ref, 'cancel');
  }

  /**
   * The run's next turn. `created`: the run was just created here, stored started (its first turn), with the
   * first page of its prompt as the create read it, and the turn its create sent early if it did; else it is
   * taken from `queued` to `in_progress` first. A run found `queued` after its process died was never asked
   * of the model: a turn goes out once the run is stored `in_progress`, or early from a create that stores it
   * started, withdrawn unless that write stands.
   */
  async function execute(
    ref: RunRef,
    signal: AbortSignal,
    stopReason: () => StopReason | undefined,
    created?: CreatedHere,
  ): Promise<void> {
    try {
      await executeTurn(ref, signal, stopReason, created);
    } finally {
      created?.early?.withdraw(); // not taken: the turn ended before its request
    }
  }

  async function executeTurn(
    ref: RunRef,
    signal: AbortSignal,
    stopReason: () => StopReason | undefined,
    created: CreatedHere | undefined,
  ): Promise<void> {
    // The prompt is read while the run starts; when it does not (a cancel won), the read is left unused.
    const reading = readAll<ItemRecord>(
      (after) => store.items.list(ref.tenant, ref.threadId, { limit: PAGE, order: 'asc', after, view: 'thread' }),
      created?.prompt,
    );
    reading.catch(() => undefined); // its failure is taken below, once the run has started
    const turn = created ? { run: created.run, steps: [] } : await startQueued(ref);
    if (!turn) return;
    const { run, steps } = turn;
    const spent = usageOf(steps);
    const budgets = remainingBudgets(run, spent);
    if (budgets.prompt !== undefined && budgets.prompt <= 0)
      return settleIfCancelling(ref, await transition(ref, incomplete('max_prompt_tokens', spent)));
    if (budgets.completion !== undefined && budgets.completion <= 0)
      return settleIfCancelling(ref, await transition(ref, incomplete('max_completion_tokens', spent)));

    const writer = new TurnWriter(store, bus, ref.tenant, run);
    let usage: RunUsage = NO_USAGE;
    let finish: string | null = null;
    try {
      const request = chatRequestOf({
        run,
        messages: await reading,
        steps,
        model: upstream.model(run.model),
        spent,
      });
      // Only a request without tools cannot get tool calls back: an upstream may ignore `tool_choice: none`.
      const mayCallTools = (request.tools?.length ?? 0) > 0;
      const chunks =
        created?.early?.take(request, signal) ?? upstream.stream(request, { signal })[Symbol.asyncIterator]();
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        await nextSlice();
        const chunk = next.value;
        if (chunk.usage) usage = chunk.usage;
        finish = (await take(writer, chunk, mayCallTools)) ?? finish;
      }
      if (signal.aborted) throw signal.reason;
    } catch (error) {
      const stop = stopReason();
      if (stop !== undefined) return stopped(ref, writer, stop, usage);
      log.warn({ err: error, runId: ref.runId }, 'run failed');
      const lastError = lastErrorOf(error);
      await writer.end('failed', usage, 'run_failed', lastError);
      const failed = await transition(ref, fail(seconds(), lastError, addUsage(spent, usage)));
      return settleIfCancelling(ref, failed);
    }
    await finishTurn(ref, run, writer, { finish, usage, spent });
  }

  /** A run back in `queued` (its tool outputs given) taken to `in_progress`, with its steps so far; else undefined. */
  async function startQueued(ref: RunRef): Promise<{ run: RunObject; steps: RunStepObject[] } | undefined> {
    const queued = await store.runs.get(ref.tenant, ref.threadId, ref.runId);
    if (queued?.status !== 'queued') {
      await settleIfCancelling(ref, queued && { run: queued, applied: false });
      return undefined;
    }
    const starting = transition(ref, start(seconds()));
    const steps = await stepsOf(ref);
    const started = await starting;
    if (started?.applied) return { run: started.run, steps };
    await settleIfCancelling(ref, started);
    return undefined;
  }

  /**
   * One chunk into the writer; the choice's finish reason when it gives one. A turn the upstream opens with
   * empty text has its message written ahead of the text, and shown at once when the turn cannot call tools.
   */
  async function take(
    writer: TurnWriter,
    chunk: ChatCompletionChunk,
    mayCallTools: boolean,
  ): Promise<string | null | undefined> {
    const choice = chunk.choices.find((c) => c.index === 0) ?? chunk.choices[0];
    if (!choice) return undefined;
    const content = choice.delta?.content;
    if (content === '' && !choice.delta?.tool_calls?.length) await writer.prepareMessage(!mayCallTools);
    if (typeof content === 'string') await writer.text(content);
    for (const fragment of choice.delta?.tool_calls ?? []) {
      await writer.toolCall(indexOf(fragment, writer.toolCalls), {
        id: fragment.id,
        name: fragment.function?.name,
        arguments: fragment.function?.arguments,
      });
    }
    return choice.finish_reason;
  }

  async function stopped(ref: RunRef, writer: TurnWriter, stop: StopReason, usage: RunUsage) {
    // Left as it is for whoever takes the run over; a message written ahead and never shown is not kept.
    if (stop === 'close')
      return writer.withdrawUnshown().catch((error: unknown) => {
        log.warn({ err: error, runId: ref.runId }, 'a message written ahead could not be withdrawn');
      });
    await writer.end(
      stop === 'cancel' ? 'cancelled' : 'expired',
      usage,
      stop === 'cancel' ? 'run_cancelled' : 'run_expired',
    );
    await settle(ref, stop);
  }

  async function finishTurn(
    ref: RunRef,
    run: RunObject,
    writer: TurnWriter,
    { finish, usage, spent }: { finish: string | null; usage: RunUsage; spent: RunUsage },
  ) {
    const total = addUsage(spent, usage);
    const calls = writer.toolCalls.filter((call) => call !== undefined);
    if (calls.length > 0) {
      await writer.holdToolCalls(usage);
      const toolCalls = calls.map((call) => ({
        id: call.id,
        type: 'function' as const,
        function: { name: call.function.name, arguments: call.function.arguments },
      }));
      return settleIfCancelling(ref, await transition(ref, requireAction(toolCalls)));
    }
    await writer.openMessage();
    const budget = remainingBudgets(run, spent).completion;
    const cut = finish === 'length';
    await writer.end(
      'completed',
      usage,
      cut ? 'max_tokens' : finish === 'content_filter' ? 'content_filter' : undefined,
    );
    // The request's max_tokens was the run's budget left: a cut there is the budget running out.
    const change =
      cut && budget !== undefined ? incomplete('max_completion_tokens', total) : complete(seconds(), total);
    return settleIfCancelling(ref, await transition(ref, change));
  }

  return { execute, settle };
}

export type Executor = ReturnType<typeof createExecutor>;
