/** What the run's `last_error.code` says about an upstream failure. */
export type UpstreamErrorCode = 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt';

/**
 * A failed call to the Chat Completions upstream. The message is safe to show to API clients: it never
 * holds the upstream's key or the credentials of its URL.
 */
export class UpstreamError extends Error {
  override name = 'UpstreamError';

  constructor(
    message: string,
    readonly code: UpstreamErrorCode,
    /** The upstream's HTTP status, when it answered with one. */
    readonly status?: number,
    /** From a 429's `retry-after-ms` or `Retry-After` header. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * 429 → rate_limit_exceeded; 400, 404, 413 and 422 (the request itself is at fault: unknown model, prompt
 * too long, bad tool schema) → invalid_prompt; anything else (5xx, 401/403: a key the operator must fix,
 * 408) → server_error.
 */
export function codeForStatus(status: number): UpstreamErrorCode {
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 400 || status === 404 || status === 413 || status === 422) return 'invalid_prompt';
  return 'server_error';
}

/** `retry-after-ms` (OpenAI's), else `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): number | undefined {
  const first = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const ms = first('retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const after = first('retry-after')?.trim();
  if (after === undefined || after === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Math.ceil(Number(after) * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The message inside an error body as OpenAI, Ollama, vLLM, llama.cpp's server and LiteLLM write it. */
export function upstreamMessage(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const plain = text.trim();
    return plain === '' ? undefined : plain.slice(0, 1000);
  }
  const record = body as { error?: unknown; message?: unknown; detail?: unknown } | null;
  const error = record?.error as { message?: unknown } | string | undefined;
  const message =
    typeof error === 'string'
      ? error
      : typeof error?.message === 'string'
        ? error.message
        : typeof record?.message === 'string'
          ? record.message
          : typeof record?.detail === 'string'
            ? record.detail
            : undefined;
  return message?.slice(0, 1000);
}

/** Removes every secret (the key, the URL's user name and password) from a text that may reach a client or a log. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret.length >= 3) scrubbed = scrubbed.split(secret).join('[redacted]');
  }
  return scrubbed;
}
