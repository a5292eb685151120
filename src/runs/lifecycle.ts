import type { RunObject, RunStatus, RunToolCall, RunUsage } from '../schemas/runs.js';
import type { RunChange } from '../store/run-types.js';

/*
 * The run's state machine (RUNS.md, Lifecycle), as the changes the store applies: each names the statuses
 * it may leave, so a change that lost a race (a run cancelled or expired meanwhile) does not apply.
 *   queued → in_progress → completed | incomplete | failed | requires_action
 *   requires_action → queued (outputs submitted) | expired
 *   queued | in_progress | requires_action → cancelling → cancelled; any unfinished run past expires_at → expired
 */

export const UNFINISHED: readonly RunStatus[] = ['queued', 'in_progress', 'requires_action', 'cancelling'];

/** Statuses after which a stream ends (the SDKs' readers wait for one of them before `done`). */
export const STREAM_ENDS: readonly RunStatus[] = [
  'requires_action',
  'completed',
  'incomplete',
  'failed',
  'cancelled',
  'expired',
];

/** The SDKs' poll helpers keep polling in these statuses: the server tells them how long to wait. */
export const POLL_AFTER_MS = 500;

export type RunError = NonNullable<RunObject['last_error']>;

const ENDED = { expires_at: null, required_action: null } as const;

export const start = (at: number): RunChange => ({
  set: { status: 'in_progress', started_at: at },
  from: ['queued'],
});

export const requireAction = (toolCalls: RunToolCall[]): RunChange => ({
  set: {
    status: 'requires_action',
    required_action: { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: toolCalls } },
  },
  from: ['in_progress'],
});

/** Outputs submitted: the run goes back to the queue; `expires_at` stays as it was. */
export const resume = (): RunChange => ({
  set: { status: 'queued', required_action: null },
  from: ['requires_action'],
});

export const complete = (at: number, usage: RunUsage): RunChange => ({
  set: { ...ENDED, status: 'completed', completed_at: at, usage },
  from: ['in_progress'],
});

export const incomplete = (
  reason: NonNullable<RunObject['incomplete_details']>['reason'],
  usage: RunUsage,
): RunChange => ({
  set: { ...ENDED, status: 'incomplete', incomplete_details: { reason }, usage },
  from: ['in_progress', 'queued'],
});

export const fail = (at: number, error: RunError, usage: RunUsage): RunChange => ({
  set: { ...ENDED, status: 'failed', failed_at: at, last_error: error, usage },
  from: ['in_progress', 'queued'],
});

export const cancelling = (): RunChange => ({
  set: { status: 'cancelling' },
  from: ['queued', 'in_progress', 'requires_action'],
});

export const cancelled = (at: number, usage: RunUsage): RunChange => ({
  set: { ...ENDED, status: 'cancelled', cancelled_at: at, usage },
  from: ['cancelling'],
});

export const expire = (usage: RunUsage): RunChange => ({
  set: { ...ENDED, status: 'expired', usage },
  from: UNFINISHED,
});

export const NO_USAGE: RunUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

export function addUsage(a: RunUsage, b: RunUsage | null | undefined): RunUsage {
  if (!b) return a;
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
}
