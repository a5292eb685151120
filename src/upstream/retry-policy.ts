import { UpstreamError } from './upstream-error.js';

/**
 * When a turn that failed before its first chunk is sent again. Nothing is retried once a chunk was given
 * out: the caller has acted on it (a message shown, a step created).
 * - 429: after its `retry-after-ms` / `Retry-After` when that is at most MAX_RETRY_AFTER_MS (a longer wait
 *   fails the turn at once with the wait in `retryAfterMs`), else after the backoff;
 * - 5xx and a connection refused, reset or dropped before the first chunk: after the backoff;
 * - never: time-outs (the turn already waited the whole time-out), 4xx, 401/403, malformed streams, aborts.
 */
export const MAX_RETRY_AFTER_MS = 10_000;

/** 250 ms, then 500 ms, 1 s…, each plus up to a quarter at random so many runs do not retry in step. */
export function backoffMs(retry: number, random = Math.random()): number {
  const base = 250 * 2 ** retry;
  return Math.round(base + base * 0.25 * random);
}

/** The wait before retry number `retry` (0 for the first), or undefined when the error is final. */
export function retryDelayMs(
  error: unknown,
  retry: number,
  maxRetries: number,
  connectionLost: boolean,
): number | undefined {
  if (retry >= maxRetries || !(error instanceof UpstreamError)) return undefined;
  if (error.code === 'rate_limit_exceeded') {
    if (error.retryAfterMs === undefined) return backoffMs(retry);
    return error.retryAfterMs <= MAX_RETRY_AFTER_MS ? error.retryAfterMs : undefined;
  }
  const serverFault = error.status !== undefined && error.status >= 500;
  return serverFault || connectionLost ? backoffMs(retry) : undefined;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
