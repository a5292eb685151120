import type { RunRecord, RunStatus, RunStepRecord } from './run-records.js';
import type { ItemRecord, NewItem, Page, PageQuery } from './records.js';
import type { IdempotencyKey } from './types.js';

/** Where a run lives: enough to find it again from the store alone. */
export interface RunRef {
  tenant: string;
  threadId: string;
  runId: string;
}

/** A run's lease: the process that holds it (`owner`) and until when, in milliseconds since the epoch. */
export interface RunLease {
  owner: string;
  until: number;
}

/** A change to a run: `set` merged into it, only while its status is one of `from` (any when absent). */
export interface RunChange {
  set: Partial<RunRecord>;
  from?: readonly RunStatus[];
}

/** The run after a change, and whether the change applied (false: its status was not one of `from`). */
export interface RunUpdate {
  run: RunRecord;
  applied: boolean;
}

/** A run no live process holds, in a status that still needs one (queued, in_progress or cancelling). */
export interface StrandedRun extends RunRef {
  status: RunStatus;
}

/**
 * Which process executes which run: a lease on the run's row (`owner`, `lease_until`), claimed before a
 * turn executes, renewed while it does, released after. One implementation per engine (sqlite/run-queue.ts,
 * postgres/run-leases.ts); the scheduler never learns which. Times are milliseconds since the epoch.
 */
export interface RunQueue {
  /**
   * Takes the lease of an unfinished run for `owner` until `until`: when no process holds it, `owner`
   * already does, or its holder's lease has passed (on SQLite, one process per file: any other holder is a
   * process that ended). `undefined` when not taken (finished, absent, or held by a live process), else
   * the holder it was taken from (`null`: none, or `owner` itself).
   */
  claim(ref: RunRef, owner: string, until: number): Promise<{ from: string | null } | undefined>;
  /** Extends every lease `owner` holds to `until`: the runs it still holds, with their status now. */
  renew(owner: string, until: number): Promise<{ runId: string; status: RunStatus }[]>;
  /** Lets the run go; a `queued` run keeps a reservation until `reserveUntil` for the process about to start it. */
  release(ref: RunRef, owner: string, reserveUntil: number): Promise<void>;
  /** Up to `limit` runs in queued, in_progress or cancelling that no live process holds at `now`, oldest first. */
  stranded(owner: string, now: number, limit: number): Promise<StrandedRun[]>;
  /** How many of the tenant's runs are unfinished. */
  activeOf(tenant: string): Promise<number>;
}

export type UnfinishedRuns = Partial<Record<RunStatus, number>>;

/** How many of the thread's messages a run's create reads for its first turn (more are read then, a page at a time). */
export const PROMPT_PAGE = 100;

/**
 * A run as its create answers it and, unless the create was a replay, the thread's first PROMPT_PAGE messages in
 * the thread view, oldest first, as the create's transaction left them (the run's additional messages included):
 * its first turn's prompt, read without another round trip to the store. Within the page byte budget, as any page.
 */
export interface CreatedRun {
  run: RunRecord;
  prompt?: Page<ItemRecord>;
}

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
   * The new run is stored started (`startedRun`) and held under `lease`: the process that creates it sends its
   * first turn without a claim or a status write of its own. The answer, and what the key records, is `run` as
   * given: queued, as the hosted API answered a create; with it, the first page of the run's prompt (`CreatedRun`).
   */
  create(
    tenant: string,
    threadId: string,
    run: RunRecord,
    messages: NewItem[],
    lease: RunLease,
    idempotency?: IdempotencyKey,
  ): Promise<CreatedRun | undefined>;
  get(tenant: string, threadId: string, runId: string): Promise<RunRecord | undefined>;
  /** Newest first by default; throws `UnknownListCursor`. `undefined` when the thread does not exist. */
  list(tenant: string, threadId: string, query: PageQuery): Promise<Page<RunRecord> | undefined>;
  update(tenant: string, threadId: string, runId: string, change: RunChange): Promise<RunUpdate | undefined>;
  /** Up to `limit` unfinished runs whose `expires_at` is at or before `now`, across tenants. */
  due(now: number, limit: number): Promise<RunRef[]>;
  /** How many runs are unfinished, by status, across tenants (statuses with none are left out). */
  unfinished(): Promise<UnfinishedRuns>;
  queue: RunQueue;
  steps: {
    create(tenant: string, threadId: string, step: RunStepRecord): Promise<void>;
    update(
      tenant: string,
      threadId: string,
      runId: string,
      stepId: string,
      set: Partial<RunStepRecord>,
    ): Promise<RunStepRecord | undefined>;
    get(tenant: string, threadId: string, runId: string, stepId: string): Promise<RunStepRecord | undefined>;
    /** Deletes a step no one was told of (its turn's message was withdrawn); false when there was none. */
    delete(tenant: string, threadId: string, runId: string, stepId: string): Promise<boolean>;
    /** `undefined` when the run does not exist; throws `UnknownListCursor`. */
    list(tenant: string, threadId: string, runId: string, query: PageQuery): Promise<Page<RunStepRecord> | undefined>;
  };
  messages: {
    /**
     * Written after the thread's latest item; `undefined` when the thread is gone. With `step` (its
     * message-creation step), the step is written in the same transaction, when its run is the thread's.
     */
    create(
      tenant: string,
      threadId: string,
      message: NewRunMessage,
      step?: RunStepRecord,
    ): Promise<ItemRecord | undefined>;
    update(
      tenant: string,
      threadId: string,
      messageId: string,
      changes: RunMessageChanges,
    ): Promise<ItemRecord | undefined>;
  };
}
