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
