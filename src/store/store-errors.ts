/** A failure the store reports in its own terms; the error handler words it for the API (src/plugins/error-handler.ts). */
export class StoreError extends Error {}

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
