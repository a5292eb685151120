import { newId } from '../ids.js';
import type { MessageObject } from '../schemas/messages.js';
import type { FunctionToolCall, RunStepObject } from '../schemas/run-steps.js';
import type { RunObject, RunUsage } from '../schemas/runs.js';
import type { ItemRecord } from '../store/records.js';
import type { Store } from '../store/types.js';
import { newStep } from '../views/run-view.js';
import { toMessage } from '../views/thread-view.js';
import type { RunBus } from './run-bus.js';

const seconds = () => Math.floor(Date.now() / 1000);

/** How often a message's text so far is written while it streams: its progress is in the store, not only here. */
const PARTIAL_WRITE_MS = 500;

type IncompleteReason = NonNullable<MessageObject['incomplete_details']>['reason'];

interface OpenMessage {
  record: ItemRecord;
  step: RunStepObject;
  text: string;
  written: number;
  /** Its events have been sent: written ahead of the turn's text (`prepareMessage`), it is not until the text. */
  shown: boolean;
}

/**
 * What one model turn writes, in the order the SDKs need (RUNS.md, Streams): at most one open message
 * (with its message-creation step) or one open tool-calls step at a time; every write goes to the store,
 * then to the run's listeners.
 */
export class TurnWriter {
  #message?: OpenMessage;
  /** The message written ahead of the text (`prepareMessage`): resolves once written, to the error if that failed. */
  #writing?: Promise<unknown>;
  #tools?: { step: RunStepObject; calls: FunctionToolCall[] };
  /** The step that ends the turn: it carries the turn's usage. */
  #last?: RunStepObject;
  /** Why the turn failed, for its open step (a step's code is `server_error` or `rate_limit_exceeded`). */
  #failure?: NonNullable<RunStepObject['last_error']>;

  constructor(
    private readonly store: Store,
    private readonly bus: RunBus,
    private readonly tenant: string,
    private readonly run: RunObject,
  ) {}

  get toolCalls(): FunctionToolCall[] {
    return this.#tools?.calls ?? [];
  }

  #emit = (event: Parameters<RunBus['emit']>[1]) => this.bus.emit(this.run.id, event);

  async #startStep(details: RunStepObject['step_details']): Promise<RunStepObject> {
    const step = newStep(this.run, seconds(), details);
    await this.store.runs.steps.create(this.tenant, this.run.thread_id, step);
    this.#stepStarted(step);
    return step;
  }

  #stepStarted(step: RunStepObject) {
    this.#emit({ type: 'step.created', step });
    this.#emit({ type: 'step.status', step });
    this.#last = step;
  }

  async #setStep(step: RunStepObject, set: Partial<RunStepObject>): Promise<RunStepObject> {
    const updated = (await this.store.runs.steps.update(
      this.tenant,
      this.run.thread_id,
      this.run.id,
      step.id,
      set,
    )) ?? {
      ...step,
      ...set,
    };
    if (set.status !== undefined && set.status !== step.status) this.#emit({ type: 'step.status', step: updated });
    return updated;
  }

  /** Text from the model: opens the message (and its step) on the first. */
  async text(value: string): Promise<void> {
    if (value === '') return;
    if (!this.#message?.shown) await this.openMessage();
    const open = this.#message!;
    this.#emit({ type: 'message.delta', messageId: open.record.id, text: value, first: open.text === '' });
    open.text += value;
    if (Date.now() - open.written >= PARTIAL_WRITE_MS) {
      open.written = Date.now();
      await this.store.runs.messages.update(this.tenant, this.run.thread_id, open.record.id, {
        content: [{ type: 'text', text: { value: open.text, annotations: [] } }],
      });
    }
  }

  /**
   * The upstream opened the turn with empty text (a role chunk, which servers send before the model's first
   * token): the turn's message and step are written now, while the model works, rather than between its
   * first token and that token's delta. They are shown with the first text, or at once with `showNow` (a
   * turn that cannot call tools); a turn that turns out to be tool calls, or ends without a word, withdraws
   * them unseen. Nothing is written once the turn has begun.
   */
  async prepareMessage(showNow: boolean): Promise<void> {
    if (this.#message || this.#writing || this.#tools || this.#last) return;
    this.#writing = this.#writeMessage().then(
      () => undefined,
      (error: unknown) => error ?? new Error('the message could not be written'),
    );
    if (showNow) await this.openMessage();
  }

  /** Waits for a message written ahead; the error when that write failed. */
  async #prepared(): Promise<unknown> {
    const writing = this.#writing;
    this.#writing = undefined;
    return writing && (await writing);
  }

  /** Deletes the message written ahead and its step, unless its text has been shown. */
  async withdrawUnshown(): Promise<void> {
    await this.#prepared();
    const open = this.#message;
    if (!open || open.shown) return;
    this.#message = undefined;
    await this.#discard(open.record.id, open.step.id);
  }

  /** Deletes a message and its message-creation step no one was told of. */
  async #discard(messageId: string, stepId: string): Promise<void> {
    const { tenant, run } = this;
    await Promise.all([
      this.store.items.delete(tenant, run.thread_id, messageId, 'thread'),
      this.store.runs.steps.delete(tenant, run.thread_id, run.id, stepId),
    ]);
  }

  /**
   * Opens the turn's message and its step, unless one is open (a turn that said nothing still leaves a
   * message), and shows them: their events, step first, as the SDKs expect. The two are written together,
   * in one transaction, here unless written ahead.
   */
  async openMessage(): Promise<void> {
    const failed = await this.#prepared();
    if (failed) throw failed;
    if (!this.#message) await this.#writeMessage();
    const open = this.#message!;
    if (open.shown) return;
    open.shown = true;
    this.#stepStarted(open.step);
    const message = toMessage(open.record, this.run.thread_id);
    this.#emit({ type: 'message.created', message });
    this.#emit({ type: 'message.status', message });
  }

  /** Writes the message and its step, together. */
  async #writeMessage(): Promise<void> {
    const { tenant, run } = this;
    const id = newId('msg');
    const step = newStep(run, seconds(), { type: 'message_creation', message_creation: { message_id: id } });
    const message = {
      id,
      type: 'message',
      role: 'assistant',
      item: null,
      content: [],
      status: 'in_progress' as const,
      attachments: [],
      metadata: {},
      assistant_id: run.assistant_id,
      run_id: run.id,
    };
    const record = await this.store.runs.messages.create(tenant, run.thread_id, message, step);
    if (!record) throw new Error(`thread ${run.thread_id} is gone`);
    this.#message = { record, step, text: '', written: Date.now(), shown: false };
  }

  /** Closes the open message: completed, or incomplete for `reason`; its step completes (or fails/ends with the run). */
  async closeMessage(
    outcome: { reason?: IncompleteReason; stepStatus?: RunStepObject['status']; usage?: RunUsage } = {},
  ) {
    const open = this.#message;
    if (!open) return;
    this.#message = undefined;
    const at = seconds();
    const record = await this.store.runs.messages.update(this.tenant, this.run.thread_id, open.record.id, {
      content: [{ type: 'text', text: { value: open.text, annotations: [] } }],
      ...(outcome.reason === undefined
        ? { status: 'completed', completed_at: at }
        : { status: 'incomplete', incomplete_at: at, incomplete_details: { reason: outcome.reason } }),
    });
    if (record) this.#emit({ type: 'message.status', message: toMessage(record, this.run.thread_id) });
    await this.#finishStep(open.step, outcome.stepStatus ?? 'completed', at, outcome.usage);
  }

  async #finishStep(step: RunStepObject, status: RunStepObject['status'], at: number, usage?: RunUsage) {
    const stamp = {
      completed: 'completed_at',
      failed: 'failed_at',
      cancelled: 'cancelled_at',
      expired: 'expired_at',
    } as const;
    const set: Partial<RunStepObject> = {
      status,
      usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    };
    if (status !== 'in_progress') set[stamp[status]] = at;
    if (status === 'failed') set.last_error = this.#failure ?? { code: 'server_error', message: 'The run failed.' };
    await this.#setStep(step, set);
  }

  /** A fragment of a tool call; `index` says which call (RUNS.md: ids and names go in a call's first delta only). */
  async toolCall(index: number, fragment: { id?: string; name?: string; arguments?: string }): Promise<void> {
    if (!this.#tools) await this.withdrawUnshown();
    if (this.#message) await this.closeMessage();
    if (!this.#tools) this.#tools = { step: await this.#startStep({ type: 'tool_calls', tool_calls: [] }), calls: [] };
    const { calls, step } = this.#tools;
    const known = calls[index];
    if (!known) {
      const call: FunctionToolCall = {
        id: fragment.id ?? newId('call'),
        type: 'function',
        function: { name: fragment.name ?? '', arguments: fragment.arguments ?? '', output: null },
      };
      calls[index] = call;
      this.#emit({
        type: 'step.delta',
        stepId: step.id,
        toolCall: {
          index,
          id: call.id,
          type: 'function',
          function: { name: call.function.name, arguments: call.function.arguments, output: null },
        },
      });
      return;
    }
    if (!fragment.arguments) return;
    known.function.arguments += fragment.arguments;
    this.#emit({
      type: 'step.delta',
      stepId: step.id,
      toolCall: { index, type: 'function', function: { arguments: fragment.arguments } },
    });
  }

  /** The turn ended with tool calls: the step keeps them (and the turn's usage) and stays in progress. */
  async holdToolCalls(usage: RunUsage): Promise<void> {
    const tools = this.#tools;
    if (!tools) return;
    const tool_calls = tools.calls.filter((call) => call !== undefined);
    tools.step = await this.#setStep(tools.step, {
      step_details: { type: 'tool_calls', tool_calls },
      usage: this.#last === tools.step ? usage : { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
  }

  /** Ends the turn's open parts with the run: `completed`, or the run's failure, cancellation or expiry. */
  async end(
    status: RunStepObject['status'],
    usage: RunUsage,
    reason?: IncompleteReason,
    failure?: RunObject['last_error'],
  ): Promise<void> {
    if (failure)
      this.#failure = {
        code: failure.code === 'rate_limit_exceeded' ? 'rate_limit_exceeded' : 'server_error',
        message: failure.message,
      };
    await this.withdrawUnshown();
    const lastIsMessage = this.#message !== undefined && this.#last === this.#message.step;
    await this.closeMessage({ reason, stepStatus: status, usage: lastIsMessage ? usage : undefined });
    if (this.#tools) {
      await this.#finishStep(this.#tools.step, status, seconds(), this.#last === this.#tools.step ? usage : undefined);
      this.#tools = undefined;
    }
  }
}
