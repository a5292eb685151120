import type { RunObject, RunStatus } from '../schemas/runs.js';
import type { RunStepObject } from '../schemas/run-steps.js';
import type { ItemRecord, NewItem } from './records.js';
import type { IdempotencyKey, Page, PageQuery } from './types.js';

/** Where a run lives: enough to find it again from the store alone. */
export interface RunRef {
  tenant: string;
  threadId: string;
  runId: string;
}

/** A change to a run: `set` merged into it, only while its status is one of `from` (any when absent). */
export interface RunChange {
  set: Partial<RunObject>;
  from?: readonly RunStatus[];
}

/** The run after a change, and whether the change applied (false: its status was not one of `from`). */
export interface RunUpdate {
  run: RunObject;
  applied: boolean;
}

export type UnfinishedRuns = Partial<Record<RunStatus, number>>;

/** A message a run writes: the assistant's, with its run and assistant named. */
export type NewRunMessage = NewItem & { assistant_id: string; run_id: string };

export type RunMessageChanges = Partial<
  Pick<ItemRecord, 'content' | 'status' | 'incomplete_details' | 'completed_at' | 'incomplete_at'>
>;

/**
 * Runs, their steps and the messages they write. A run's state is in its row: every transition is one
 * of these writes, so any process can read where a run stands. All scoped to a tenant and a thread:
 * another tenant's run, or a run of a deleted thread, reads as absent.
 */
export interface RunStore {
  /**
   * Writes `messages` into the thread and then the run, atomically, unless a run of the thread is
   * unfinished: throws `ThreadRunActive` then. `undefined` when the thread does not exist. With an
   * Idempotency-Key, the run is recorded in the same transaction, and a replay answers the recorded run
   * (another id than `run`'s: nothing was written); throws `IdempotencyConflict` for another request.
   */
  create(
    tenant: string,
    threadId: string,
    run: RunObject,
    messages: NewItem[],
    idempotency?: IdempotencyKey,
  ): Promise<RunObject | undefined>;
  get(tenant: string, threadId: string, runId: string): Promise<RunObject | undefined>;
  /** Newest first by default; throws `UnknownListCursor`. `undefined` when the thread does not exist. */
  list(tenant: string, threadId: string, query: PageQuery): Promise<Page<RunObject> | undefined>;
  update(tenant: string, threadId: string, runId: string, change: RunChange): Promise<RunUpdate | undefined>;
  /** Up to `limit` unfinished runs whose `expires_at` is at or before `now`, across tenants. */
  due(now: number, limit: number): Promise<RunRef[]>;
  /** How many runs are unfinished, by status, across tenants (statuses with none are left out). */
  unfinished(): Promise<UnfinishedRuns>;
  steps: {
    create(tenant: string, threadId: string, step: RunStepObject): Promise<void>;
    update(
      tenant: string,
      threadId: string,
      runId: string,
      stepId: string,
      set: Partial<RunStepObject>,
    ): Promise<RunStepObject | undefined>;
    get(tenant: string, threadId: string, runId: string, stepId: string): Promise<RunStepObject | undefined>;
    /** `undefined` when the run does not exist; throws `UnknownListCursor`. */
    list(tenant: string, threadId: string, runId: string, query: PageQuery): Promise<Page<RunStepObject> | undefined>;
  };
  messages: {
    /** Written after the thread's latest item; `undefined` when the thread is gone. */
    create(tenant: string, threadId: string, message: NewRunMessage): Promise<ItemRecord | undefined>;
    update(
      tenant: string,
      threadId: string,
      messageId: string,
      changes: RunMessageChanges,
    ): Promise<ItemRecord | undefined>;
  };
}
