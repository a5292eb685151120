// The public API, called with the key this tab was given (sessionStorage: never a URL or a cookie).
const KEY_NAME = 'threadstore.apiKey';

export const apiKey = {
  get: () => sessionStorage.getItem(KEY_NAME),
  set: (key) => sessionStorage.setItem(KEY_NAME, key),
  clear: () => sessionStorage.removeItem(KEY_NAME),
};

/** A non-2xx answer, carrying the message of its error envelope. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `The server answered HTTP ${status}.`);
    this.status = status;
    this.code = body?.error?.code ?? null;
  }
}

/** `query` is a list of [name, value] pairs (names may repeat). */
export async function api(method, path, query = []) {
  const url = new URL(`/v1${path}`, location.origin);
  for (const [name, value] of query) url.searchParams.append(name, value);
  const headers = { accept: 'application/json' };
  const key = apiKey.get();
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(url, { method, headers, cache: 'no-store' });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export const pathId = (id) => encodeURIComponent(id);
