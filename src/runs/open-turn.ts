import type { RunStepObject } from '../schemas/run-steps.js';
import type { ItemRecord } from '../store/records.js';
import type { RunRef } from '../store/run-types.js';
import type { Store } from '../store/types.js';
import { toMessage } from '../views/thread-view.js';
import { PAGE, readAll } from './read-all.js';
import type { RunBus } from './run-bus.js';

/**
 * Ends what a turn that stopped left open: each message of the run still `in_progress` ends `incomplete`
 * for `reason`, then each step still `in_progress` takes `stepEnd`. Messages are found by their run, not
 * through their steps: on PostgreSQL a message and its step are written side by side, and a process that
 * died between the two commits leaves one without the other. Resolves to the run's steps as they were.
 */
export async function endOpenTurn(
  store: Store,
  bus: RunBus,
  ref: RunRef,
  reason: 'run_failed' | 'run_cancelled' | 'run_expired',
  stepEnd: Partial<RunStepObject>,
): Promise<RunStepObject[]> {
  const { tenant, threadId, runId } = ref;
  const messages = await readAll<ItemRecord>((after) =>
    store.items.list(tenant, threadId, { limit: PAGE, order: 'asc', after, run_id: runId, view: 'thread' }),
  );
  const at = Math.floor(Date.now() / 1000);
  for (const open of messages.filter((message) => message.status === 'in_progress')) {
    const closed = await store.runs.messages.update(tenant, threadId, open.id, {
      status: 'incomplete',
      incomplete_at: at,
      incomplete_details: { reason },
    });
    if (closed) bus.emit(runId, { type: 'message.status', message: toMessage(closed, threadId) });
  }
  const steps = await readAll<RunStepObject>((after) =>
    store.runs.steps.list(tenant, threadId, runId, { limit: PAGE, order: 'asc', after }),
  );
  for (const step of steps.filter((s) => s.status === 'in_progress')) {
    const ended = await store.runs.steps.update(tenant, threadId, runId, step.id, stepEnd);
    if (ended) bus.emit(runId, { type: 'step.status', step: ended });
  }
  return steps;
}
