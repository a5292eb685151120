import type { ContentPart } from '../schemas/messages.js';
import type { RunStepObject } from '../schemas/run-steps.js';
import type { RunObject, RunUsage } from '../schemas/runs.js';
import type { ItemRecord } from '../store/records.js';
import type {
  ChatCompletionRequest,
  ChatFunctionTool,
  ChatMessage,
  ChatResponseFormat,
  ChatToolChoice,
} from '../upstream/chat-types.js';
import { toMessage } from './thread-view.js';

/*
 * A run's next model turn as one Chat Completions request (RUNS.md, Mapping): the system message, the
 * thread's messages oldest first (cut by the truncation strategy), then what this run did so far, step by
 * step. Defaults are left out, since some upstreams reject fields they do not know.
 */

/** What the prompt is made of, read from the store by the executor. */
export interface PromptSources {
  run: RunObject;
  /** The thread's messages (thread view), oldest first. */
  messages: ItemRecord[];
  /** This run's steps, oldest first. */
  steps: RunStepObject[];
  /** The upstream's name for the run's model. */
  model: string;
  /** Tokens of the run's budgets spent by its earlier turns. */
  spent: RunUsage;
}

/** Roughly four characters a token: enough to cut a thread to a prompt budget, never sent anywhere. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

function textOf(parts: ContentPart[]): string {
  return parts.flatMap((part) => (part.type === 'text' && part.text ? [part.text.value] : [])).join('\n');
}

/**
 * A thread message as a chat message: its text. Images cannot be sent (no Files API for `image_file`, and the
 * upstream protocol here is text only): they are left out.
 */
function chatMessageOf(record: ItemRecord, threadId: string): ChatMessage {
  const message = toMessage(record, threadId);
  return { role: message.role, content: textOf(message.content) };
}

const sizeOf = (message: ChatMessage) =>
  estimateTokens(typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? ''));

/**
 * `last_messages: n` keeps the last n; `auto` keeps the first and then drops from the middle (the oldest
 * after the first) until the estimate fits the prompt budget left, always keeping the latest message.
 */
export function truncate(messages: ChatMessage[], run: RunObject, promptBudget: number | undefined): ChatMessage[] {
  const strategy = run.truncation_strategy;
  if (strategy.type === 'last_messages' && strategy.last_messages != null)
    return messages.slice(-strategy.last_messages);
  if (promptBudget === undefined) return messages;
  const kept = [...messages];
  let size = kept.reduce((sum, message) => sum + sizeOf(message), 0);
  while (size > promptBudget && kept.length > 1) {
    const dropped = kept.splice(kept.length > 2 ? 1 : 0, 1)[0]!;
    size -= sizeOf(dropped);
  }
  return kept;
}

/** This run's steps so far as chat messages: its messages, and each finished tool call with its output. */
function stepMessages(steps: RunStepObject[], messages: ItemRecord[], threadId: string): ChatMessage[] {
  const byId = new Map(messages.map((record) => [record.id, record]));
  return steps.flatMap((step): ChatMessage[] => {
    const details = step.step_details;
    if (details.type === 'message_creation') {
      const record = details.message_creation && byId.get(details.message_creation.message_id);
      return record ? [chatMessageOf(record, threadId)] : [];
    }
    const calls = details.tool_calls ?? [];
    if (step.status !== 'completed' || calls.length === 0) return [];
    return [
      {
        role: 'assistant',
        content: null,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: { name: call.function.name, arguments: call.function.arguments },
        })),
      },
      ...calls.map((call) => ({ role: 'tool' as const, tool_call_id: call.id, content: call.function.output ?? '' })),
    ];
  });
}

/** The run's budgets after what it spent: what this turn may take, undefined where the run set none. */
export function remainingBudgets(run: RunObject, spent: RunUsage) {
  return {
    prompt: run.max_prompt_tokens === null ? undefined : run.max_prompt_tokens - spent.prompt_tokens,
    completion: run.max_completion_tokens === null ? undefined : run.max_completion_tokens - spent.completion_tokens,
  };
}

export function chatRequestOf({ run, messages, steps, model, spent }: PromptSources): ChatCompletionRequest {
  const budgets = remainingBudgets(run, spent);
  const history = messages
    .filter((record) => record.run_id !== run.id)
    .map((record) => chatMessageOf(record, run.thread_id));
  const system: ChatMessage[] = run.instructions === '' ? [] : [{ role: 'system', content: run.instructions }];
  const systemSize = system.reduce((sum, message) => sum + sizeOf(message), 0);
  const kept = truncate(history, run, budgets.prompt === undefined ? undefined : budgets.prompt - systemSize);
  const functions = run.tools.filter((tool) => tool.type === 'function');
  const request: ChatCompletionRequest = {
    model,
    messages: [...system, ...kept, ...stepMessages(steps, messages, run.thread_id)],
    stream: true,
    stream_options: { include_usage: true },
  };
  if (functions.length > 0) {
    request.tools = functions.map((tool) => ({
      type: 'function',
      function: tool.function as ChatFunctionTool['function'],
    }));
    // Hosted-only tool choices were refused when the run was created.
    if (run.tool_choice !== 'auto') request.tool_choice = run.tool_choice as ChatToolChoice;
    if (!run.parallel_tool_calls) request.parallel_tool_calls = false;
  }
  if (run.response_format !== 'auto') request.response_format = run.response_format as ChatResponseFormat;
  if (run.temperature !== null && run.temperature !== 1) request.temperature = run.temperature;
  if (run.top_p !== null && run.top_p !== 1) request.top_p = run.top_p;
  if (budgets.completion !== undefined) request.max_tokens = budgets.completion;
  return request;
}
