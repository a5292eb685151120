import type { RunRecord, RunStatus } from '../run-records.js';
import type { RunChange, RunUpdate } from '../run-types.js';

/** The statuses of a run that holds its thread's lock and can still expire. */
const UNFINISHED: readonly RunStatus[] = ['queued', 'in_progress', 'requires_action', 'cancelling'];

/** UNFINISHED as SQL, for both engines' statements (the partial indexes of migrations 010 and 012 say the same). */
export const UNFINISHED_SQL = `status IN (${UNFINISHED.map((status) => `'${status}'`).join(', ')})`;

/**
 * The statuses in which a run needs a process to execute or settle it: a sweep recovers those no one holds
 * (the partial index of migration 012 says the same).
 */
export const EXECUTABLE_SQL = "status IN ('queued', 'in_progress', 'cancelling')";

/**
 * How long a run given its tool outputs (back in `queued`, held by no one) is kept from the sweeps for the
 * process that took the request: it starts the run at once, so that it streams the run's events from its own
 * bus. A new run needs none: it is created held by that process (RunStore.create's lease).
 */
export const RESERVATION_MS = 5_000;

/**
 * A new run as it is stored: already started (`in_progress` since it was created), so that the process
 * creating it sends its first turn to the model with no write in between; a run found `in_progress` with no
 * live holder may have been asked, and is failed rather than asked again.
 */
export const startedRun = (run: RunRecord): RunRecord => ({
  ...run,
  status: 'in_progress',
  started_at: run.created_at,
});

/** A run with a change applied, when its status allows it. */
export function applyRunChange(run: RunRecord, change: RunChange): RunUpdate {
  if (change.from !== undefined && !change.from.includes(run.status)) return { run, applied: false };
  return { run: { ...run, ...change.set }, applied: true };
}
