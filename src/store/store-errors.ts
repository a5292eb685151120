/** A failure the store reports in its own terms: the API that asked words it (routes/store-error-words.ts). */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A create replayed by its Idempotency-Key after what it made was deleted: the thread (`object_id` is
 * `thread_id`) or an item it made, which the replay answers as a read of it would (a 404).
 */
export class ReplayedObjectDeleted extends StoreError {
  constructor(
    readonly thread_id: string,
    readonly object_id: string,
  ) {
    super(`the object '${object_id}' of thread '${thread_id}' that this replay would answer with was deleted`);
  }
}
