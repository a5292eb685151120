import { ApiError, tooManyProperties } from '../errors.js';
import type { Metadata } from '../store/types.js';

/** As many pairs as metadata itself holds: a filter with more could match nothing. */
export const MAX_FILTER_PAIRS = 16;

const conflictingFilter = (key: string) =>
  new ApiError(
    400,
    `Invalid 'metadata[${key}]': given more than once with different values; a thread holds one value per key.`,
    `metadata[${key}]`,
    'invalid_value',
  );

/**
 * `metadata[key]=value` query parameters as the pairs every listed thread must hold. A pair given twice
 * counts once; one key with two values is a 400, as are more than 16 pairs. Other malformed names are
 * ignored like unknown parameters.
 */
export function metadataFilterOf(query: Record<string, unknown>): Metadata {
  const filter: Metadata = Object.create(null);
  let pairs = 0;
  for (const [name, given] of Object.entries(query)) {
    const key = /^metadata\[(.+)\]$/.exec(name)?.[1];
    if (key === undefined) continue;
    const values = new Set(Array.isArray(given) ? given : [given]);
    if (values.size > 1) throw conflictingFilter(key);
    const [value] = values;
    if (typeof value !== 'string') continue;
    filter[key] = value;
    pairs++;
  }
  if (pairs > MAX_FILTER_PAIRS) throw tooManyProperties('metadata', MAX_FILTER_PAIRS, pairs);
  return filter;
}
