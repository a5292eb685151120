/** A failure the store names in its own terms; what the API or the command says about it is decided outside. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** An imported thread's id is taken by a thread of another tenant: it is not "already present" in this one. */
export class ImportedThreadOwnedElsewhere extends StoreError {
  override name = 'ImportedThreadOwnedElsewhere';
  constructor(readonly threadId: string) {
    super(`thread id '${threadId}' is already used by a thread of another tenant`);
  }
}
