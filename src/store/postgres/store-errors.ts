import { guardWith } from '../engine/guard.js';
import { StoreCannotWrite, StoreUnavailable } from '../store-errors.js';
import { isUnavailable } from './connection.js';

/** SQLSTATE disk_full: PostgreSQL could not extend a file; reads still answer. */
const DISK_FULL = '53100';

/** A database that is away answers 503 (retried by the SDKs); every other failure stays what it is. */
export function toStoreError(error: unknown): unknown {
  const full = (error as { code?: unknown }).code === DISK_FULL;
  if (!full && !isUnavailable(error)) return error;
  const unavailable = full ? new StoreCannotWrite("the database server's disk is full") : new StoreUnavailable();
  unavailable.cause = error;
  return unavailable;
}

export const guard = guardWith(toStoreError);

/**
 * PostgreSQL's text rejects U+0000, so no stored key can contain it: a key that does names nothing.
 * (JSON is safe: JSON.stringify writes U+0000 and lone surrogates as escapes.)
 */
export const unstorable = (...keys: (string | undefined)[]) => keys.some((key) => key?.includes('\0'));
