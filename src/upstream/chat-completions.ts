import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ChatCompletionChunk, ChatCompletionRequest } from './chat-types.js';
import { retryDelayMs, sleep } from './retry-policy.js';
import { SseDecoder, SseLineTooLong } from './sse-decoder.js';
import { codeForStatus, retryAfterMs, scrubSecrets, UpstreamError, upstreamMessage } from './upstream-error.js';

export interface UpstreamConfig {
  /** Ends before `/chat/completions`, e.g. `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  apiKey?: string;
  /** The model a request names → the model the upstream is asked for; names not in it pass unchanged. */
  modelMap: Record<string, string>;
  /** From sending the request to the response's head. */
  connectTimeoutMs: number;
  /** The longest silence between two pieces of the answer. */
  idleTimeoutMs: number;
  /** Retries of a turn that failed before its first chunk (retry-policy.ts); 2 when absent. */
  maxRetries?: number;
}

export interface ChatUpstream {
  /**
   * One model turn, streamed: the chunks as the upstream sends them, until its `[DONE]`. A failure before the
   * first chunk may be retried (retry-policy.ts); after that it throws UpstreamError, or the signal's reason
   * when the signal aborts it. Leaving the loop early closes the request.
   */
  stream(body: ChatCompletionRequest, options?: { signal?: AbortSignal }): AsyncIterable<ChatCompletionChunk>;
  /** The upstream's name for a model named in the API. */
  model(name: string): string;
}

/** What the client tells of each turn (plugins/upstream.ts passes the metrics' one); times from sending the turn. */
export interface UpstreamObserver {
  /** The turn's first chunk came, `seconds` after the turn was first sent (retries' waits included). */
  firstChunk(seconds: number): void;
  /** The upstream ended the turn with `[DONE]`. */
  finished(seconds: number): void;
  /** The turn failed for good with this error (not when aborted). */
  failed(error: UpstreamError): void;
  /** The turn is sent again after this error. */
  retried(error: UpstreamError): void;
}

/** Longest event-stream line (or event) accepted: one chunk is a few hundred bytes; 1 MiB is a broken server. */
export const MAX_SSE_LINE = 1024 * 1024;
/** How much of an error answer is read for its message. */
const MAX_ERROR_BODY = 64 * 1024;
export const DEFAULT_MAX_RETRIES = 2;

/** Failures of the connection itself (refused, reset, dropped): worth a retry before the first chunk. */
const connectionLost = new WeakSet<object>();

function lostConnection(message: string): UpstreamError {
  const error = new UpstreamError(message, 'server_error');
  connectionLost.add(error);
  return error;
}

interface Target {
  url: URL;
  headers: Record<string, string>;
  secrets: string[];
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  maxRetries: number;
  observer?: UpstreamObserver;
}

/**
 * A Chat Completions client on node:http: its errors carry codes (ECONNREFUSED, ECONNRESET) rather than
 * fetch's bare "fetch failed", it has no time-outs of its own competing with ours (undici's are 300 s and
 * need the undici package to change), it accepts a base URL with credentials (fetch refuses one), and the
 * response is read piece by piece with back-pressure.
 */
export function createChatUpstream(config: UpstreamConfig, observer?: UpstreamObserver): ChatUpstream {
  const url = new URL(`${config.baseUrl.replace(/\/+$/, '')}/chat/completions`);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
  const secrets = [config.apiKey, url.username, url.password]
    .flatMap((secret) => (secret ? [secret, safeDecode(secret)] : []))
    .sort((a, b) => b.length - a.length);
  const target = {
    url,
    headers,
    secrets,
    connectTimeoutMs: config.connectTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    maxRetries: config.maxRetries ?? DEFAULT_MAX_RETRIES,
    observer,
  };
  return {
    stream: (body, options = {}) => streamTurn(target, body, options.signal),
    model: (name) => (Object.hasOwn(config.modelMap, name) ? config.modelMap[name]! : name),
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function* streamTurn(
  target: Target,
  body: ChatCompletionRequest,
  signal: AbortSignal | undefined,
): AsyncGenerator<ChatCompletionChunk> {
  const payload = JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } });
  const { observer } = target;
  const sent = performance.now();
  const elapsed = () => (performance.now() - sent) / 1000;
  for (let retry = 0; ; retry++) {
    let yielded = false;
    try {
      const response = await openResponse(target, payload, signal);
      for await (const chunk of readChunks(target, response, signal)) {
        if (!yielded) observer?.firstChunk(elapsed());
        yielded = true;
        yield chunk;
      }
      observer?.finished(elapsed());
      return;
    } catch (error) {
      const lost = connectionLost.has(error as object);
      const delay = yielded ? undefined : retryDelayMs(error, retry, target.maxRetries, lost);
      const upstreamError = error instanceof UpstreamError ? error : undefined;
      if (delay === undefined || signal?.aborted) {
        if (upstreamError && !signal?.aborted) observer?.failed(upstreamError);
        throw error;
      }
      if (upstreamError) observer?.retried(upstreamError);
      await sleep(delay, signal);
    }
  }
}

function aborted(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Sends the request; resolves with a 2xx response's head, throws UpstreamError for anything else. */
function openResponse(target: Target, payload: string, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  if (signal?.aborted) return Promise.reject(aborted(signal));
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(target.url, {
      method: 'POST',
      headers: { ...target.headers, 'content-length': Buffer.byteLength(payload) },
    });
    let failure: unknown;
    const fail = (error: unknown) => {
      failure ??= error;
      request.destroy();
    };
    const timer = setTimeout(
      () =>
        fail(new UpstreamError(`The upstream sent no answer within ${target.connectTimeoutMs} ms.`, 'server_error')),
      target.connectTimeoutMs,
    );
    const onAbort = () => fail(aborted(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    request.on('error', (error: NodeJS.ErrnoException) => {
      settle();
      reject(failure ?? lostConnection(`Could not reach the upstream (${error.code ?? 'connection error'}).`));
    });
    request.on('response', (response) => {
      settle();
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300 && !/^application\/json/i.test(response.headers['content-type'] ?? '')) {
        resolve(response);
        return;
      }
      readErrorAnswer(target, response).then(reject, reject);
    });
    request.end(payload);
  });
}

/** The UpstreamError for an answer that is not a stream: an error status, or a 2xx JSON body (an error or no stream). */
async function readErrorAnswer(target: Target, response: IncomingMessage): Promise<UpstreamError> {
  const status = response.statusCode ?? 0;
  const text = await readCapped(response, MAX_ERROR_BODY, target.idleTimeoutMs);
  const said = upstreamMessage(text);
  if (status >= 200 && status < 300) {
    const message =
      said === undefined ? 'The upstream answered without an event stream.' : `The upstream failed: ${said}`;
    return new UpstreamError(scrubSecrets(message, target.secrets), 'server_error', status);
  }
  if (status === 401 || status === 403) {
    return new UpstreamError(
      `The upstream refused threadstore's credentials (${status}): check UPSTREAM_API_KEY.`,
      'server_error',
      status,
    );
  }
  const message = `The upstream answered ${status}${said === undefined ? '.' : `: ${said}`}`;
  return new UpstreamError(
    scrubSecrets(message, target.secrets),
    codeForStatus(status),
    status,
    status === 429 ? retryAfterMs(response.headers) : undefined,
  );
}

/** Up to `max` bytes of a body as text; a body that stalls or breaks gives what came so far. */
function readCapped(response: IncomingMessage, max: number, idleTimeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const pieces: Buffer[] = [];
    let size = 0;
    let timer = setTimeout(() => response.destroy(), idleTimeoutMs);
    const finish = () => {
      clearTimeout(timer);
      resolve(Buffer.concat(pieces).toString('utf8'));
    };
    response.on('data', (piece: Buffer) => {
      clearTimeout(timer);
      timer = setTimeout(() => response.destroy(), idleTimeoutMs);
      pieces.push(piece.subarray(0, max - size));
      size += piece.length;
      if (size >= max) {
        response.destroy();
        finish();
      }
    });
    response.on('end', finish);
    response.on('close', finish);
    response.on('error', finish);
  });
}

async function* readChunks(
  target: Target,
  response: IncomingMessage,
  signal: AbortSignal | undefined,
): AsyncGenerator<ChatCompletionChunk> {
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    response.destroy();
  };
  const onAbort = () => fail(aborted(signal!));
  signal?.addEventListener('abort', onAbort, { once: true });
  const decoder = new SseDecoder(MAX_SSE_LINE);
  let finished = false;
  let done = false;
  response.setEncoding('utf8');
  const pieces = response[Symbol.asyncIterator]() as AsyncIterator<string>;
  try {
    if (signal?.aborted) throw aborted(signal);
    while (!done) {
      const timer = setTimeout(
        () =>
          fail(
            new UpstreamError(`The upstream sent nothing for ${target.idleTimeoutMs} ms mid-answer.`, 'server_error'),
          ),
        target.idleTimeoutMs,
      );
      let next: IteratorResult<string>;
      try {
        next = await pieces.next();
      } catch (error) {
        throw (
          failure ??
          lostConnection(
            `The upstream dropped the connection mid-answer (${(error as NodeJS.ErrnoException).code ?? 'aborted'}).`,
          )
        );
      } finally {
        clearTimeout(timer);
      }
      if (failure !== undefined) throw failure;
      if (next.done) break;
      let events: ReturnType<SseDecoder['push']>;
      try {
        events = decoder.push(next.value);
      } catch (error) {
        if (error instanceof SseLineTooLong) throw malformed(error.message);
        throw error;
      }
      for (const event of events) {
        if (event.data === '[DONE]') {
          done = true;
          break;
        }
        const chunk = parseChunk(target, event.event, event.data);
        if (chunk.choices.some((choice) => choice.finish_reason)) finished = true;
        yield chunk;
        if (failure !== undefined) throw failure;
      }
    }
    if (!done && !finished) {
      throw new UpstreamError('The upstream closed the stream before the answer was complete.', 'server_error');
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (done && !response.complete) {
      // Let the response end so its connection can be reused; a server that stalls after [DONE] loses it.
      const timer = setTimeout(() => response.destroy(), target.idleTimeoutMs).unref();
      response.on('end', () => clearTimeout(timer)).resume();
    } else if (!response.complete) {
      response.destroy();
    }
  }
}

function malformed(what: string): UpstreamError {
  return new UpstreamError(`The upstream sent a malformed stream: ${what}.`, 'server_error');
}

/** One `data:` payload as a chunk; an `error` payload (vLLM, LiteLLM and OpenAI send one mid-stream) throws. */
function parseChunk(target: Target, event: string, data: string): ChatCompletionChunk {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw malformed('a chunk is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('a chunk is not an object');
  const record = value as Record<string, unknown>;
  if (event === 'error' || record.error !== undefined) {
    const said = upstreamMessage(data) ?? 'no message';
    throw new UpstreamError(scrubSecrets(`The upstream failed mid-answer: ${said}`, target.secrets), 'server_error');
  }
  const choices = record.choices ?? [];
  if (!Array.isArray(choices) || choices.some((choice) => typeof choice !== 'object' || choice === null)) {
    throw malformed('a chunk has no list of choices');
  }
  for (const choice of choices as Record<string, unknown>[]) {
    choice.delta ??= {};
    choice.finish_reason ??= null;
    choice.index ??= 0;
  }
  return { ...record, choices } as unknown as ChatCompletionChunk;
}
