import type { RunRef } from '../store/run-types.js';
import type { Store } from '../store/types.js';
import { addUsage, fail, NO_USAGE, type RunError } from './lifecycle.js';
import { endOpenTurn } from './open-turn.js';
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
  const at = seconds();
  const steps = await endOpenTurn(store, bus, ref, 'run_failed', {
    status: 'failed',
    failed_at: at,
    last_error: error,
  });
  const usage = steps.reduce((sum, step) => addUsage(sum, step.usage), NO_USAGE);
  const update = await store.runs.update(ref.tenant, ref.threadId, ref.runId, fail(at, error, usage));
  if (update?.applied) bus.emit(ref.runId, { type: 'run.status', run: update.run });
}
