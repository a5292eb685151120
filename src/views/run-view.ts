import { newId } from '../ids.js';
import type { RunStepObject } from '../schemas/run-steps.js';
import type { AssistantObject } from '../schemas/assistants.js';
import type { CreateRunRequest, CreateThreadAndRunRequest, RunObject } from '../schemas/runs.js';

/** What a run takes from its assistant when the request does not override it. */
export type RunAssistant = Pick<
  AssistantObject,
  'id' | 'model' | 'instructions' | 'tools' | 'temperature' | 'top_p' | 'response_format'
>;

type RunSettings = Omit<CreateRunRequest, 'additional_messages'> | CreateThreadAndRunRequest;

/**
 * A new run as created: every key present, the *effective* model, instructions and tools (the request's,
 * else the assistant's), the documented defaults, `expires_at` set, `usage` null. `additional_instructions`
 * is appended to the instructions, after a blank line, and the run shows the result (docs/runs.md#requests-and-state).
 */
export function newRun(
  body: RunSettings,
  assistant: RunAssistant,
  threadId: string,
  at: number,
  expirySeconds: number,
): RunObject {
  const base = body.instructions ?? assistant.instructions ?? '';
  const extra = 'additional_instructions' in body ? (body.additional_instructions ?? '') : '';
  return {
    id: newId('run'),
    object: 'thread.run',
    created_at: at,
    thread_id: threadId,
    assistant_id: assistant.id,
    status: 'queued',
    required_action: null,
    last_error: null,
    expires_at: at + expirySeconds,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: body.model ?? assistant.model,
    instructions: [base, extra].filter((text) => text !== '').join('\n\n'),
    tools: body.tools ?? assistant.tools,
    metadata: body.metadata ?? {},
    usage: null,
    temperature: body.temperature ?? assistant.temperature ?? 1,
    top_p: body.top_p ?? assistant.top_p ?? 1,
    max_prompt_tokens: body.max_prompt_tokens ?? null,
    max_completion_tokens: body.max_completion_tokens ?? null,
    truncation_strategy: {
      type: body.truncation_strategy?.type ?? 'auto',
      last_messages: body.truncation_strategy?.last_messages ?? null,
    },
    tool_choice: body.tool_choice ?? 'auto',
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    response_format: body.response_format ?? assistant.response_format ?? 'auto',
    reasoning_effort: body.reasoning_effort ?? null,
  };
}

/** A new step of a run, in progress. */
export function newStep(run: RunObject, at: number, details: RunStepObject['step_details']): RunStepObject {
  return {
    id: newId('step'),
    object: 'thread.run.step',
    created_at: at,
    assistant_id: run.assistant_id,
    thread_id: run.thread_id,
    run_id: run.id,
    type: details.type,
    status: 'in_progress',
    step_details: details,
    last_error: null,
    expired_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    metadata: {},
    usage: null,
  };
}
