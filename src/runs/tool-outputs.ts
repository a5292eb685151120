import type { RunObject } from '../schemas/runs.js';
import type { RunRef } from '../store/run-types.js';
import type { Store } from '../store/types.js';
import { resume } from './lifecycle.js';
import type { RunBus } from './run-bus.js';

export interface ToolOutput {
  tool_call_id?: string;
  output?: string;
}

/** Why outputs were refused: the run is not waiting for them, or they do not match its calls. */
export type Refusal =
  | { kind: 'status'; status: RunObject['status'] }
  | { kind: 'mismatch'; missing: string[]; unknown: string[] };

/** The calls the run waits for that got no output, and outputs naming no such call. */
export function checkOutputs(run: RunObject, outputs: ToolOutput[]): Refusal | undefined {
  if (run.status !== 'requires_action' || !run.required_action) return { kind: 'status', status: run.status };
  const awaited = run.required_action.submit_tool_outputs.tool_calls.map((call) => call.id);
  const given = outputs.map((output) => output.tool_call_id ?? '');
  const missing = awaited.filter((id) => !given.includes(id));
  const unknown = given.filter((id) => !awaited.includes(id));
  return missing.length > 0 || unknown.length > 0 ? { kind: 'mismatch', missing, unknown } : undefined;
}

/**
 * Takes all the outputs a run in `requires_action` waits for (RUNS.md: all in one request): the run goes
 * back to `queued` (only one request can win that), then its tool-calls step completes with each output.
 * Then the caller starts the next turn. Answers the run as it is after, or why the outputs were refused.
 */
export async function submitToolOutputs(
  store: Store,
  bus: RunBus,
  ref: RunRef,
  outputs: ToolOutput[],
  /** Called once the outputs are taken, before any event: where a stream starts listening. */
  accepted?: () => void,
): Promise<{ run: RunObject } | { refused: Refusal } | undefined> {
  const run = await store.runs.get(ref.tenant, ref.threadId, ref.runId);
  if (!run) return undefined;
  const refusal = checkOutputs(run, outputs);
  if (refusal) return { refused: refusal };
  const update = await store.runs.update(ref.tenant, ref.threadId, ref.runId, resume());
  if (!update) return undefined;
  if (!update.applied) return { refused: { kind: 'status', status: update.run.status } };
  accepted?.();
  const byCall = new Map(outputs.map((output) => [output.tool_call_id, output.output ?? '']));
  const steps = await store.runs.steps.list(ref.tenant, ref.threadId, ref.runId, { limit: 100, order: 'desc' });
  const step = steps?.data.find((s) => s.type === 'tool_calls' && s.status === 'in_progress');
  if (step) {
    const tool_calls = (step.step_details.tool_calls ?? []).map((call) => ({
      ...call,
      function: { ...call.function, output: byCall.get(call.id) ?? null },
    }));
    const completed = await store.runs.steps.update(ref.tenant, ref.threadId, ref.runId, step.id, {
      status: 'completed',
      completed_at: Math.floor(Date.now() / 1000),
      step_details: { type: 'tool_calls', tool_calls },
    });
    if (completed) bus.emit(ref.runId, { type: 'step.status', step: completed });
  }
  bus.emit(ref.runId, { type: 'run.status', run: update.run });
  return { run: update.run };
}
