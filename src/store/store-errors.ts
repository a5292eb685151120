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
