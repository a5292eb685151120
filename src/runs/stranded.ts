import type { RunStepObject } from '../schemas/run-steps.js';
import type { RunRef } from '../store/run-types.js';
import type { Store } from '../store/types.js';
import { toMessage } from '../views/thread-view.js';
import { readAll } from './executor.js';
import { addUsage, fail, NO_USAGE, type RunError } from './lifecycle.js';
import type { RunBus } from './run-bus.js';

const seconds = () => Math.floor(Date.now() / 1000);

/** Why a run whose turn was cut off by its process ending failed (docs/runs.md#restarts-crashes-and-replicas). */
export const SERVER_RESTARTED = { code: 'server_error', message: 'The server restarted during the run.' } as const;
export const SERVER_SHUT_DOWN = { code: 'server_error', message: 'The server shut down during the run.' } as const;

/**
 * Fails an `in_progress` run whose turn no process executes any more: the message it was writing keeps
 * the text stored so far and ends `incomplete` (`run_failed`), its open step fails, then the run. The
 * model is not asked again: what it already said stays once, never written twice.
 */
export async function failStranded(
  store: Store,
  bus: RunBus,
  ref: RunRef,
  error: RunError & { code: 'server_error' },
): Promise<void> {
  const steps = await readAll<RunStepObject>((after) =>
    store.runs.steps.list(ref.tenant, ref.threadId, ref.runId, { limit: 100, order: 'asc', after }),
  );
  const at = seconds();
  for (const step of steps.filter((s) => s.status === 'in_progress')) {
    const messageId = step.step_details.message_creation?.message_id;
    if (messageId !== undefined) {
      const closed = await store.runs.messages.update(ref.tenant, ref.threadId, messageId, {
        status: 'incomplete',
        incomplete_at: at,
        incomplete_details: { reason: 'run_failed' },
      });
      if (closed) bus.emit(ref.runId, { type: 'message.status', message: toMessage(closed, ref.threadId) });
    }
    const failed = await store.runs.steps.update(ref.tenant, ref.threadId, ref.runId, step.id, {
      status: 'failed',
      failed_at: at,
      last_error: error,
    });
    if (failed) bus.emit(ref.runId, { type: 'step.status', step: failed });
  }
  const usage = steps.reduce((sum, step) => addUsage(sum, step.usage), NO_USAGE);
  const update = await store.runs.update(ref.tenant, ref.threadId, ref.runId, fail(at, error, usage));
  if (update?.applied) bus.emit(ref.runId, { type: 'run.status', run: update.run });
}
