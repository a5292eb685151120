import type { IncomingHttpHeaders } from 'node:http';
import { type ApiError, conflictingApiKeys, missingApiKey } from '../errors.js';

const BEARER = /^Bearer +(\S+) *$/i;
const BARE = /^(\S+)$/;

/**
 * The API key a request presents, in `Authorization: Bearer <key>` (OpenAI's clients) or `api-key: <key>`
 * (Azure's): the same rules for both, and both at once only when they agree. A header that does not fit
 * its form (another scheme, an empty value, a value with spaces) counts as absent.
 */
export function presentedApiKey(headers: IncomingHttpHeaders): { key: string } | { error: ApiError } {
  const bearer = BEARER.exec(headers.authorization ?? '')?.[1];
  const apiKeyHeader = headers['api-key'];
  const azure = typeof apiKeyHeader === 'string' ? BARE.exec(apiKeyHeader)?.[1] : undefined;
  if (bearer !== undefined && azure !== undefined && bearer !== azure) return { error: conflictingApiKeys() };
  const key = bearer ?? azure;
  return key === undefined ? { error: missingApiKey() } : { key };
}
