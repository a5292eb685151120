/** An error the API answers with: the status and the four fields of OpenAI's error envelope. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type: string = 'invalid_request_error',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** JSON type words as OpenAI's messages use them: "a string", "an integer", "null". */
export function typeWord(type: string): string {
  if (type === 'null') return 'null';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** 'a', 'a' and 'b', 'a', 'b', and 'c' */
function listOfValues(values: readonly unknown[]): string {
  const quoted = values.map((v) => `'${String(v)}'`);
  if (quoted.length <= 2) return quoted.join(' and ');
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

export const threadNotFound = (id: string) => new ApiError(404, `No thread found with id '${id}'.`);

export const messageNotFound = (id: string) => new ApiError(404, `No message found with id '${id}'.`);

export const conversationNotFound = (id: string) => new ApiError(404, `Conversation with id '${id}' not found.`);

export const itemNotFound = (id: string) => new ApiError(404, `Item with id '${id}' not found.`);

/** A client-supplied item id already used in this tenant's store (another tenant's ids are never consulted). */
export const itemIdTaken = (index: number, id: string) =>
  new ApiError(
    400,
    `Invalid 'items[${index}].id': '${id}' is already used by another item.`,
    `items[${index}].id`,
    'invalid_value',
  );

export const invalidIdPrefix = (param: string, id: string, prefix: string) =>
  new ApiError(
    400,
    `Invalid '${param}': '${id}'. Expected an ID that begins with '${prefix}'.`,
    param,
    'invalid_value',
  );

export const invalidEnumValue = (param: string, value: unknown, allowed: readonly unknown[]) =>
  new ApiError(
    400,
    `Invalid value: '${String(value)}'. Supported values are: ${listOfValues(allowed)}.`,
    param,
    'invalid_value',
  );

export const unknownParameter = (param: string) =>
  new ApiError(400, `Unknown parameter: '${param}'.`, param, 'unknown_parameter');

export const missingParameter = (param: string) =>
  new ApiError(400, `Missing required parameter: '${param}'.`, param, 'missing_required_parameter');

export const invalidType = (param: string | null, expected: string, value: unknown) =>
  new ApiError(
    400,
    `Invalid type for ${param === null ? 'body' : `'${param}'`}: expected ${expected}, but got ${typeWord(jsonTypeOf(value))} instead.`,
    param,
    'invalid_type',
  );

export const stringTooLong = (param: string, max: number, length: number) =>
  new ApiError(
    400,
    `Invalid '${param}': string too long. Expected a string with maximum length ${max}, but got a string with length ${length} instead.`,
    param,
    'string_above_max_length',
  );

export const stringTooShort = (param: string, min: number, length: number) =>
  new ApiError(
    400,
    `Invalid '${param}': string too short. Expected a string with minimum length ${min}, but got ${length === 0 ? 'an empty string' : `a string with length ${length}`} instead.`,
    param,
    'string_below_min_length',
  );

export const arrayTooLong = (param: string, max: number, length: number) =>
  new ApiError(
    400,
    `Invalid '${param}': array too long. Expected an array with maximum length ${max}, but got an array with length ${length} instead.`,
    param,
    'array_above_max_length',
  );

export const emptyArray = (param: string, min: number) =>
  new ApiError(
    400,
    `Invalid '${param}': empty array. Expected an array with minimum length ${min}, but got an empty array instead.`,
    param,
    'empty_array',
  );

export const tooManyProperties = (param: string, max: number, count: number) =>
  new ApiError(
    400,
    `Invalid '${param}': too many properties. Expected an object with at most ${max} properties, but got an object with ${count} properties instead.`,
    param,
    'object_above_max_properties',
  );

export const propertyNameTooLong = (param: string, key: string, max: number, length: number) =>
  new ApiError(
    400,
    `Invalid property name in '${param}': '${key}' is too long. Expected a string with maximum length ${max}, but got a string with length ${length} instead.`,
    `${param}.${key}`,
    'property_name_above_max_length',
  );

/** A number outside its bounds; `kind` is `integer` or, for a number that may have a fraction, `decimal`. */
const aboveMax = (kind: 'integer' | 'decimal') => (param: string, max: number, value: number) =>
  new ApiError(
    400,
    `Invalid '${param}': ${kind} above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
    param,
    `${kind}_above_max_value`,
  );

const belowMin = (kind: 'integer' | 'decimal') => (param: string, min: number, value: number) =>
  new ApiError(
    400,
    `Invalid '${param}': ${kind} below minimum value. Expected a value >= ${min}, but got ${value} instead.`,
    param,
    `${kind}_below_min_value`,
  );

export const integerAboveMax = aboveMax('integer');
export const integerBelowMin = belowMin('integer');
export const decimalAboveMax = aboveMax('decimal');
export const decimalBelowMin = belowMin('decimal');

/** An assistant absent from the tenant (or never created): the hosted wording. */
export const assistantNotFound = (id: string) => new ApiError(404, `No assistant found with id '${id}'.`);

export const unknownAssistantCursor = (param: 'after' | 'before', id: string) =>
  new ApiError(400, `Invalid '${param}': no assistant with id '${id}'.`, param, 'invalid_value');

export const patternMismatch = (param: string, pattern: string) =>
  new ApiError(
    400,
    `Invalid '${param}': string does not match pattern. Expected a string that matches the pattern '${pattern}'.`,
    param,
    'invalid_value',
  );

/** A server that only stores items has no model to compact them with. */
export const compactionNotSupported = (param: string) =>
  new ApiError(
    400,
    "Invalid value: 'compaction_trigger'. This server stores conversations and runs no model, so it cannot compact one; store a 'compaction' item instead.",
    param,
    'invalid_value',
  );

export const nestedTooDeeply = (param: string, max: number) =>
  new ApiError(
    400,
    `Invalid '${param}': nested too deeply. Expected at most ${max} levels of objects and arrays, but got more.`,
    param,
    'invalid_value',
  );

export const invalidUrl = (param: string) =>
  new ApiError(
    400,
    `Invalid '${param}': Expected a valid URL, but got a value with an invalid format.`,
    param,
    'invalid_value',
  );

export const unknownCursor = (param: 'after' | 'before', id: string) =>
  new ApiError(400, `Invalid '${param}': no message with id '${id}' in this thread.`, param, 'invalid_value');

export const unknownThreadCursor = (param: 'after' | 'before', id: string) =>
  new ApiError(400, `Invalid '${param}': no thread with id '${id}'.`, param, 'invalid_value');

export const idempotencyConflict = () =>
  new ApiError(
    409,
    'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
    null,
    'idempotency_key_reused',
    'invalid_request_error',
    { 'x-should-retry': 'false' },
  );

export const invalidJson = () =>
  new ApiError(
    400,
    'We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.',
  );

export const bodyTooLarge = (limit: number) =>
  new ApiError(413, `Request body too large: the limit is ${limit} bytes.`);

/** An items create whose item references, once expanded into copies, would write more than the body limit. */
export const itemsTooLarge = (limit: number) =>
  new ApiError(
    400,
    `Invalid 'items': with its item references expanded, this request would write more than ${limit} bytes of items (the request body limit).`,
    'items',
    'items_above_max_size',
  );

export const unsupportedContentType = (contentType: string) =>
  new ApiError(415, `Unsupported content type '${contentType}': send application/json.`);

export const routeNotFound = (method: string, url: string) => new ApiError(404, `Invalid URL (${method} ${url})`);

export const headersTooLarge = () => new ApiError(431, 'Request header fields too large.');

export const deprecatedBeta = () =>
  new ApiError(
    400,
    "The v1 Assistants API has been deprecated. Please try again by setting the header 'OpenAI-Beta: assistants=v2'.",
    null,
    'invalid_beta',
  );

export const internalError = () =>
  new ApiError(
    500,
    'The server had an error while processing your request. Sorry about that!',
    null,
    null,
    'server_error',
  );

export const missingApiKey = () =>
  new ApiError(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
  );

export const incorrectApiKey = (maskedKey: string) =>
  new ApiError(401, `Incorrect API key provided: ${maskedKey}.`, null, 'invalid_api_key');

export const conflictingApiKeys = () =>
  new ApiError(
    401,
    'You provided two different API keys, one in the Authorization header and one in the api-key header. Send one key, or the same key in both.',
    null,
    'invalid_api_key',
  );

export const forbiddenJsonKey = () =>
  new ApiError(
    400,
    "We could not accept the JSON body of your request: keys named '__proto__', or 'constructor' holding 'prototype', are not allowed.",
    null,
    'invalid_value',
  );

export const rateLimited = (limit: number, retryAfterSeconds: number) =>
  new ApiError(
    429,
    `Rate limit reached for requests per minute: limit ${limit}. Please try again in ${retryAfterSeconds}s.`,
    null,
    'rate_limit_exceeded',
    'requests',
  );

/** Too many incorrect keys from one address: the same 429 shape as the request rate limit. */
export const tooManyFailedKeys = (retryAfterSeconds: number) =>
  new ApiError(
    429,
    `Too many requests with an incorrect API key from your address. Please try again in ${retryAfterSeconds}s.`,
    null,
    'rate_limit_exceeded',
    'requests',
    { 'retry-after': String(retryAfterSeconds) },
  );

export const shuttingDown = () =>
  new ApiError(503, 'The server is shutting down. Please retry your request.', null, null, 'server_error', {
    connection: 'close',
  });

export const malformedUrl = (method: string, url: string, reason: string) =>
  new ApiError(400, `Invalid URL (${method} ${url}): ${reason}.`);

export const requestTimedOut = () => new ApiError(408, 'Request timed out: the request was not received in time.');

/** Every database connection is busy and the wait queue (or the byte budget) is full: try again in a second. */
export const storeOverloaded = () =>
  new ApiError(503, 'The server is overloaded or not ready yet.', null, null, 'server_error', {
    'retry-after': '1',
    'x-should-retry': 'true',
  });

/** The database cannot be reached (or timed out); the SDKs retry a 503 on their own. */
export const storeUnavailable = () =>
  new ApiError(503, 'The server is overloaded or not ready yet.', null, null, 'server_error');

/** Another process holds SQLite's write lock; the server does not wait for it. */
export const storeBusy = () =>
  new ApiError(
    503,
    'The database is busy: another process holds its write lock. Please retry your request.',
    null,
    null,
    'server_error',
    {
      'retry-after': '1',
      'x-should-retry': 'true',
    },
  );

/** The database refuses writes for now (`reason`: why, e.g. "its disk is full"); reads still answer. */
export const storeCannotWrite = (reason: string) =>
  new ApiError(
    503,
    `The server cannot store changes right now: ${reason}. Nothing was stored; please retry later.`,
    null,
    null,
    'server_error',
    { 'x-should-retry': 'true' },
  );

// The Runs API's errors: OpenAI's wording where it is on record, else as docs/runs.md decides.

export const runNotFound = (id: string) => new ApiError(404, `No run found with id '${id}'.`);

export const runStepNotFound = (id: string) => new ApiError(404, `No run step found with id '${id}'.`);

/** Apps match on the two texts below: keep them exact. */
export const threadHasActiveRun = (threadId: string, runId: string) =>
  new ApiError(400, `Thread ${threadId} already has an active run ${runId}.`);

export const messagesLockedByRun = (threadId: string, runId: string) =>
  new ApiError(400, `Can't add messages to thread ${threadId} while a run ${runId} is active.`);

export const toolOutputsNotAccepted = (status: string) =>
  new ApiError(400, `Runs in status "${status}" do not accept tool outputs.`);

export const cannotCancelRun = (status: string) => new ApiError(400, `Cannot cancel run with status '${status}'.`);

export const toolOutputsMismatch = (missing: string[], unknown: string[]) =>
  new ApiError(
    400,
    unknown.length > 0
      ? `No tool call with id '${unknown[0]}' awaits an output in this run.`
      : `Expected tool outputs for call_ids ${JSON.stringify(missing)}, but none were given for them.`,
    'tool_outputs',
    'invalid_value',
  );

export const unsupportedTool = (type: string, param: 'tools' | 'tool_choice' = 'tools') =>
  new ApiError(
    400,
    `The '${type}' tool cannot run on this server: runs execute on a Chat Completions upstream, which offers function tools only. Remove it from the run's or the assistant's tools.`,
    param,
    'unsupported_value',
  );

export const upstreamNotConfigured = () =>
  new ApiError(
    503,
    'Runs are not available: no model upstream is configured. Set UPSTREAM_BASE_URL (and UPSTREAM_API_KEY) to an OpenAI-compatible Chat Completions server and restart.',
    null,
    'upstream_not_configured',
    'server_error',
    { 'x-should-retry': 'false' },
  );

/** A list cursor of the Runs API that names no run of the thread (or no step of the run). */
export const unknownRunCursor = (param: string, kind: 'run' | 'step', id: string) =>
  new ApiError(
    400,
    `Invalid '${param}': no ${kind === 'run' ? 'run' : 'run step'} with id '${id}' in this ${kind === 'run' ? 'thread' : 'run'}.`,
    param,
    'invalid_value',
  );
