import type { RunRecord, RunStatus } from '../run-records.js';
import type { RunChange, RunUpdate } from '../run-types.js';

/** The statuses of a run that holds its thread's lock and can still expire. */
const UNFINISHED: readonly RunStatus[] = ['queued', 'in_progress', 'requires_action', 'cancelling'];

/** UNFINISHED as SQL, for both engines' statements (the partial indexes of migration 010 say the same). */
export const UNFINISHED_SQL = `status IN (${UNFINISHED.map((status) => `'${status}'`).join(', ')})`;

/** A run with a change applied, when its status allows it. */
export function applyRunChange(run: RunRecord, change: RunChange): RunUpdate {
  if (change.from !== undefined && !change.from.includes(run.status)) return { run, applied: false };
  return { run: { ...run, ...change.set }, applied: true };
}
