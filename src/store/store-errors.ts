/*
 * What the store refuses, in its own terms: small errors carrying the ids they need. The error handler
 * (plugins/error-handler.ts) words them as the API's errors; the store never imports that catalogue.
 */

export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An Idempotency-Key replay whose assistant was deleted since: the 404 a read of it gets. */
export class AssistantNotFound extends StoreError {
  constructor(readonly assistantId: string) {
    super(`no assistant '${assistantId}'`);
  }
}

/** A list cursor (`after`/`before`) that names no assistant of the tenant, live or deleted. */
export class UnknownAssistantCursor extends StoreError {
  constructor(
    readonly param: 'after' | 'before',
    readonly assistantId: string,
  ) {
    super(`no assistant '${assistantId}' for '${param}'`);
  }
}

/** A write a thread's active run forbids: a new run, or a new message. */
export class ThreadRunActive extends StoreError {
  constructor(
    readonly threadId: string,
    readonly runId: string,
  ) {
    super(`thread ${threadId} has an active run ${runId}`);
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
