import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { withoutApiPrefix } from './api-prefixes.js';
import type { IdempotencyKey } from '../store/types.js';

/** The optional header of the create routes; the route schema checks its length. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, description: 'Makes a retried create safe (threadstore extension).' }),
  ),
});

/** JSON with object keys sorted, so the same body sent with its keys in another order matches. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The request's `Idempotency-Key` and a fingerprint of what it asks (method, path, body), if it sent one. */
export function idempotencyOf(request: FastifyRequest): IdempotencyKey | undefined {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string') return undefined;
  const path = withoutApiPrefix(request.url.split('?')[0]!);
  const fingerprint = createHash('sha256')
    .update(`${request.method} ${path}\n${canonicalJson(request.body)}`)
    .digest('hex');
  return { key, fingerprint };
}
