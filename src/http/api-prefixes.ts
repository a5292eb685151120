/**
 * Where the API is mounted, each prefix serving every route: `/v1` (OpenAI's base URL), `/openai` (where
 * `AzureOpenAI({ endpoint })` of both official SDKs sends requests: `${endpoint}/openai/threads`) and the root.
 */
export const API_PREFIXES = ['/v1', '/openai', ''] as const;

const LEADING_PREFIX = new RegExp(`^(?:${API_PREFIXES.filter(Boolean).join('|')})(?=/)`);

/** A request path without its mount prefix, so the same call reads the same under every prefix. */
export const withoutApiPrefix = (path: string) => path.replace(LEADING_PREFIX, '');
