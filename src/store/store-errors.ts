/**
 * What the store says went wrong, in its own words: no HTTP status, no wording for a client. The error
 * handler (src/http/error-handler.ts) is the one place that turns these into OpenAI's error envelope.
 */
export class StoreError extends Error {}

/** No thread of this id in the tenant (deleted, another tenant's, or never there). */
export class ThreadNotFound extends StoreError {
  constructor(readonly threadId: string) {
    super(`no thread ${threadId}`);
  }
}

/** The thread is there, the item is not (or is not in the view read). */
export class ItemNotFound extends StoreError {
  constructor(
    readonly threadId: string,
    readonly itemId: string,
  ) {
    super(`no item ${itemId} in thread ${threadId}`);
  }
}

/** A list's `after` or `before` names no thread of the tenant. */
export class UnknownThreadCursor extends StoreError {
  constructor(
    readonly param: 'after' | 'before',
    readonly id: string,
  ) {
    super(`no thread ${id} for '${param}'`);
  }
}

/** A list's `after` or `before` names no item (nor deleted item) of the thread. */
export class UnknownCursor extends StoreError {
  constructor(
    readonly param: 'after' | 'before',
    readonly id: string,
  ) {
    super(`no item ${id} in this thread for '${param}'`);
  }
}

/** The `index`th new item's supplied id is used by an item (or a deleted one) of the tenant. */
export class ItemIdTaken extends StoreError {
  constructor(
    readonly index: number,
    readonly id: string,
  ) {
    super(`item id '${id}' is already used in this tenant`);
  }
}

/** An import of an item whose id an item of the tenant has already (the whole thread is rolled back). */
export class ImportedIdTaken extends StoreError {
  constructor(readonly id: string) {
    super(`item id '${id}' is already used in this tenant`);
  }
}

/** The Idempotency-Key was recorded with another request. */
export class IdempotencyConflict extends StoreError {
  constructor() {
    super('idempotency key used with another request');
  }
}

/** Every connection is busy and the wait queue is full (PostgreSQL). */
export class StoreOverloaded extends StoreError {
  constructor() {
    super('the store is overloaded');
  }
}

/** The database cannot be reached, or timed out (PostgreSQL). */
export class StoreUnavailable extends StoreError {
  constructor() {
    super('the database is unavailable');
  }
}

/** Another process holds SQLite's write lock. */
export class StoreBusy extends StoreError {
  constructor() {
    super('another process holds the write lock');
  }
}

/** The database refuses writes for now; `reason` says why (e.g. "its disk is full"). */
export class StoreCannotWrite extends StoreError {
  constructor(readonly reason: string) {
    super(`the store cannot write: ${reason}`);
  }
}

/** An imported thread's id is taken by a thread of another tenant: it is not "already present" in this one. */
export class ImportedThreadOwnedElsewhere extends StoreError {
  constructor(readonly threadId: string) {
    super(`thread id '${threadId}' is already used by a thread of another tenant`);
  }
}

/** No assistant of this id in the tenant (deleted, another tenant's, or never there). */
export class AssistantNotFound extends StoreError {
  constructor(readonly assistantId: string) {
    super(`no assistant ${assistantId}`);
  }
}

/** A list's `after` or `before` names no assistant (nor deleted assistant) of the tenant. */
export class UnknownAssistantCursor extends StoreError {
  constructor(
    readonly param: 'after' | 'before',
    readonly id: string,
  ) {
    super(`no assistant ${id} for '${param}'`);
  }
}

/** A write a thread's active run forbids: a new run. */
export class ThreadRunActive extends StoreError {
  constructor(
    readonly threadId: string,
    readonly runId: string,
  ) {
    super(`thread ${threadId} has an active run ${runId}`);
  }
}

/** A message added through the Assistants API while a run of its thread is unfinished. */
export class MessagesLockedByRun extends StoreError {
  constructor(
    readonly threadId: string,
    readonly runId: string,
  ) {
    super(`thread ${threadId} takes no messages while its run ${runId} is active`);
  }
}

/** A list cursor that names no object of the list. */
export class UnknownListCursor extends StoreError {
  constructor(
    readonly param: 'after' | 'before',
    readonly id: string,
    readonly kind: 'run' | 'step',
  ) {
    super(`no ${kind} with id ${id} for '${param}'`);
  }
}
