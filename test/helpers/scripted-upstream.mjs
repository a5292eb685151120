// A scripted Chat Completions server for the tests (through scripted-upstream.d.mts) and the benchmark
// (bench/runs.mjs) alike: plain JavaScript, so the benchmark runs it without a build.
import { createServer } from 'node:http';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real Chat Completions server on 127.0.0.1, port 0, answering `POST /v1/chat/completions` from a script:
 * streamed chunk by chunk as OpenAI streams them (role chunk, fragments, finish chunk, usage chunk with empty
 * choices when `stream_options.include_usage`, `data: [DONE]`), or one JSON completion when `stream` is not true.
 */
export async function startScriptedUpstream(script) {
  const requests = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const pieces = [];
    req.on('data', (piece) => pieces.push(piece));
    req.on('end', () => {
      const text = Buffer.concat(pieces).toString('utf8');
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        return sendJson(res, 400, { error: { message: 'The body is not JSON.', type: 'invalid_request_error' } });
      }
      const seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() };
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        return sendJson(res, 404, {
          error: { message: `No route ${req.method} ${req.url}.`, type: 'invalid_request_error' },
        });
      }
      const index = requests.length;
      requests.push(seen);
      res.on('close', () => {
        seen.ended = res.writableFinished ? 'answered' : 'cut off';
      });
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
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function sendJson(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The chunks of a text or tool-call turn: what a streamed answer sends, in order. */
function turnDeltas(turn) {
  if ('text' in turn) return [{ role: 'assistant', content: '' }, ...turn.text.map((content) => ({ content }))];
  const deltas = [{ role: 'assistant', content: turn.roleContent ?? null }];
  turn.toolCalls.forEach((call, index) => {
    const id = call.id ?? `call_${index}`;
    const named = (extra = {}) => ({
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
        ? named({ function: { name: turn.toolCalls[index].name, arguments: fragment } })
        : { ...(turn.omitIndex ? {} : { index }), function: { arguments: fragment } };
      deltas.push({ tool_calls: [call] });
    }
  });
  return deltas;
}

async function answer(res, seen, turn, index) {
  if ('status' in turn) {
    const body = turn.body ?? {
      error: { message: `Scripted ${turn.status}.`, type: 'server_error', param: null, code: null },
    };
    return sendJson(res, turn.status, body, turn.headers);
  }
  const id = `chatcmpl-scripted${index}`;
  const created = Math.floor(Date.now() / 1000);
  const model = seen.body.model;
  const chunk = (delta, finish = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const write = (value) => res.write(`data: ${JSON.stringify(value)}\n\n`);
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
  for (const [index, delta] of [...deltas, null].entries()) {
    if (turn.chunkDelayMs) await sleep(turn.chunkDelayMs);
    if (res.destroyed) return;
    // The role chunk is deltas[0]: `faultAfter` text chunks have gone when the index reaches it past that.
    if (turn.faultAfter !== undefined && index === turn.faultAfter + 1) {
      await sleep(20); // lets the client read what came before the reset
      return res.socket?.resetAndDestroy();
    }
    write(delta === null ? chunk({}, finish) : chunk(delta));
    if (index === 0 && turn.holdAfterRole) await turn.holdAfterRole;
  }
  if (seen.body.stream_options?.include_usage) {
    write({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [], usage });
  }
  res.end('data: [DONE]\n\n');
}

/** The same turn as one `chat.completion` object. */
function completion(id, created, model, turn, finish, usage) {
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
