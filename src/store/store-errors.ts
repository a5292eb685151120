/**
 * What the store says went wrong, in its own words: no HTTP status, no wording for a client. The error
 * handler (src/plugins/error-handler.ts) is the one place that turns these into OpenAI's error envelope.
 */
export class StoreError extends Error {}

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
