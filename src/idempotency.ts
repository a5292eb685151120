import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import type { IdempotencyKey } from './store/types.js';

const MAX_KEY_LENGTH = 255;

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
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header.join(',') : header;
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new ApiError(
      400,
      `Invalid 'Idempotency-Key': expected between 1 and ${MAX_KEY_LENGTH} characters, but got ${key.length}.`,
      'Idempotency-Key',
      'invalid_value',
    );
  }
  const path = request.url.split('?')[0]!.replace(/^\/v1(?=\/)/, '');
  const fingerprint = createHash('sha256')
    .update(`${request.method} ${path}\n${canonicalJson(request.body)}`)
    .digest('hex');
  return { key, fingerprint };
}
