import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ChatCompletionRequest } from '../../src/upstream/chat-types.js';

type Usage = { prompt_tokens: number; completion_tokens: number };

/** One answer of the scripted upstream, in the order requests arrive. */
export type ScriptedTurn =
  | {
      /** Content fragments, one chunk each. */
      text: string[];
      finish?: 'stop' | 'length' | 'content_filter';
      /** Default: prompt_tokens = the request's message count, completion_tokens = the chunks after the role chunk. */
      usage?: Usage;
      chunkDelayMs?: number;
    }
  | {
      /** Each call's arguments in fragments; `id` defaults to `call_<n>`. */
      toolCalls: { name: string; arguments: string[]; id?: string }[];
      usage?: Usage;
      chunkDelayMs?: number;
      /** As some servers do: `id`, `type` and `function.name` on every fragment, not only the first. */
      repeatIdAndName?: boolean;
      /** As some servers do: no `index` on the fragments (calls come one after the other). */
      omitIndex?: boolean;
      /** As some servers do: no `id` at all. */
      omitId?: boolean;
      /** As Ollama does: the first arguments fragment rides in the chunk that names the call. */
      argumentsWithName?: boolean;
    }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | {
      /**
       * hang-before-headers: reads the request, never answers; hang-mid-stream: the head and a first chunk,
       * then nothing; drop-mid-chunk: the head, a first chunk, half a chunk, then the connection is reset;
       * malformed-chunk: the head, a first chunk, then a `data:` line that is not JSON.
       */
      fault: 'hang-before-headers' | 'hang-mid-stream' | 'drop-mid-chunk' | 'malformed-chunk';
    };

export interface SeenRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: ChatCompletionRequest;
}

export interface ScriptedUpstream {
  /** The base URL, ending in `/v1`. */
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

type Script = ScriptedTurn[] | ((request: SeenRequest, index: number) => ScriptedTurn);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real Chat Completions server on 127.0.0.1, port 0, answering `POST /v1/chat/completions` from a script:
 * streamed chunk by chunk as OpenAI streams them (role chunk, fragments, finish chunk, usage chunk with empty
 * choices when `stream_options.include_usage`, `data: [DONE]`), or one JSON completion when `stream` is not true.
 */
export async function startScriptedUpstream(script: Script): Promise<ScriptedUpstream> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const pieces: Buffer[] = [];
    req.on('data', (piece: Buffer) => pieces.push(piece));
    req.on('end', () => {
      const text = Buffer.concat(pieces).toString('utf8');
      let body: ChatCompletionRequest;
      try {
        body = JSON.parse(text) as ChatCompletionRequest;
      } catch {
        return sendJson(res, 400, { error: { message: 'The body is not JSON.', type: 'invalid_request_error' } });
      }
      const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        return sendJson(res, 404, {
          error: { message: `No route ${req.method} ${req.url}.`, type: 'invalid_request_error' },
        });
      }
      const index = requests.length;
      requests.push(seen);
      const turn = typeof script === 'function' ? script(seen, index) : script[index];
      if (turn === undefined) {
        return sendJson(res, 500, {
          error: { message: `The script has no turn for request ${index}.`, type: 'server_error' },
        });
      }
      answer(res, seen, turn, index).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

interface Delta {
  role?: 'assistant';
  content?: string | null;
  tool_calls?: Record<string, unknown>[];
}

/** The chunks of a text or tool-call turn: what a streamed answer sends, in order. */
function turnDeltas(turn: Extract<ScriptedTurn, { text: string[] } | { toolCalls: unknown }>): Delta[] {
  if ('text' in turn) return [{ role: 'assistant', content: '' }, ...turn.text.map((content) => ({ content }))];
  const deltas: Delta[] = [{ role: 'assistant', content: null }];
  turn.toolCalls.forEach((call, index) => {
    const id = call.id ?? `call_${index}`;
    const named = (extra: Record<string, unknown> = {}) => ({
      ...(turn.omitIndex ? {} : { index }),
      ...(turn.omitId ? {} : { id }),
      type: 'function',
      ...extra,
    });
    const [first = '', ...rest] = call.arguments;
    const fragments = turn.argumentsWithName ? rest : call.arguments;
    deltas.push({
      tool_calls: [named({ function: { name: call.name, arguments: turn.argumentsWithName ? first : '' } })],
    });
    for (const fragment of fragments) {
      const call = turn.repeatIdAndName
        ? named({ function: { name: turn.toolCalls[index]!.name, arguments: fragment } })
        : { ...(turn.omitIndex ? {} : { index }), function: { arguments: fragment } };
      deltas.push({ tool_calls: [call] });
    }
  });
  return deltas;
}

async function answer(res: ServerResponse, seen: SeenRequest, turn: ScriptedTurn, index: number) {
  if ('status' in turn) {
    const body = turn.body ?? {
      error: { message: `Scripted ${turn.status}.`, type: 'server_error', param: null, code: null },
    };
    return sendJson(res, turn.status, body, turn.headers);
  }
  const id = `chatcmpl-scripted${index}`;
  const created = Math.floor(Date.now() / 1000);
  const model = seen.body.model;
  const chunk = (delta: Delta, finish: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const write = (value: unknown) => res.write(`data: ${JSON.stringify(value)}\n\n`);
  const openStream = () =>
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  if ('fault' in turn) {
    if (turn.fault === 'hang-before-headers') return;
    openStream();
    write(chunk({ role: 'assistant', content: '' }));
    if (turn.fault === 'hang-mid-stream') return;
    if (turn.fault === 'malformed-chunk') {
      res.write('data: {"id":"chatcmpl-broken","choices":[{"delta":\n\n');
      await sleep(10);
      return res.end();
    }
    const half = `data: ${JSON.stringify(chunk({ content: 'half' }))}`;
    res.write(half.slice(0, half.length >> 1));
    await sleep(10);
    return res.socket?.resetAndDestroy();
  }
  const deltas = turnDeltas(turn);
  const finish = 'text' in turn ? (turn.finish ?? 'stop') : 'tool_calls';
  const fragments = deltas.length - 1;
  const counted = turn.usage ?? { prompt_tokens: seen.body.messages?.length ?? 0, completion_tokens: fragments };
  const usage = { ...counted, total_tokens: counted.prompt_tokens + counted.completion_tokens };
  if (seen.body.stream !== true) return sendJson(res, 200, completion(id, created, model, turn, finish, usage));
  openStream();
  for (const delta of [...deltas, null]) {
    if (turn.chunkDelayMs) await sleep(turn.chunkDelayMs);
    if (res.destroyed) return;
    write(delta === null ? chunk({}, finish) : chunk(delta));
  }
  if (seen.body.stream_options?.include_usage) {
    write({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [], usage });
  }
  res.end('data: [DONE]\n\n');
}

/** The same turn as one `chat.completion` object. */
function completion(
  id: string,
  created: number,
  model: string,
  turn: Extract<ScriptedTurn, { text: string[] } | { toolCalls: unknown }>,
  finish: string,
  usage: unknown,
) {
  const message =
    'text' in turn
      ? { role: 'assistant', content: turn.text.join(''), refusal: null }
      : {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: turn.toolCalls.map((call, index) => ({
            id: call.id ?? `call_${index}`,
            type: 'function',
            function: { name: call.name, arguments: call.arguments.join('') },
          })),
        };
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    system_fingerprint: null,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage,
  };
}
