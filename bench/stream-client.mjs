// Timing event streams as a client reads them: when the first chunk of text arrives, how fast the rest
// follow, when the stream ends. One client for both sides of the runs benchmark: the scripted upstream
// called directly (Chat Completions chunks) and threadstore's streamed runs (thread.message.delta events).
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/** A Chat Completions chunk that carries text (the first chunk carries the role and empty content). */
export const isChatText = (frame) => frame.startsWith('data: {') && /"content":"[^"]/.test(frame);
/** A run's text delta. */
export const isRunText = (frame) => frame.startsWith('event: thread.message.delta\n');

/**
 * POSTs `body` (an object) to `url` and reads the event stream it answers. Resolves to { ttftMs, chunks,
 * chunksPerSecond, totalMs, frames }: ttftMs from sending to the first frame `isText` accepts,
 * chunksPerSecond over the span from that frame to the last such, `frames` every frame's first line.
 * Rejects on any status but 200.
 */
export function timeStream(url, body, isText) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.setEncoding('utf8');
        let buffer = '';
        if (res.statusCode !== 200) {
          res.on('data', (piece) => {
            buffer += piece;
          });
          res.on('end', () => reject(new Error(`POST ${url}: ${res.statusCode} ${buffer}`)));
          return;
        }
        let first;
        let last;
        let chunks = 0;
        const frames = [];
        res.on('data', (piece) => {
          const now = performance.now();
          buffer += piece;
          const complete = buffer.split('\n\n');
          buffer = complete.pop();
          for (const frame of complete) {
            frames.push(frame.slice(0, frame.indexOf('\n') >>> 0));
            if (!isText(frame)) continue;
            chunks++;
            first ??= now;
            last = now;
          }
        });
        res.on('end', () =>
          resolve({
            ttftMs: first - started,
            chunks,
            chunksPerSecond: chunks > 1 ? (chunks - 1) / ((last - first) / 1000) : undefined,
            totalMs: performance.now() - started,
            frames,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * GETs `url` every `everyMs` until `stop()` is called; resolves to the longest answer time in ms, when that
 * ping was sent (ms after the first), and how many were sent. A failed ping rejects.
 */
export function pingUntil(url, everyMs) {
  let stopped = false;
  const first = performance.now();
  const pings = (async () => {
    let longest = 0;
    let longestAtMs = 0;
    let count = 0;
    while (!stopped) {
      const started = performance.now();
      await new Promise((resolve, reject) => {
        request(url, { agent }, (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`GET ${url}: ${res.statusCode}`)),
          );
        })
          .on('error', reject)
          .end();
      });
      if (performance.now() - started > longest) {
        longest = performance.now() - started;
        longestAtMs = started - first;
      }
      count++;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    return { longestMs: longest, longestAtMs, count };
  })();
  return {
    stop() {
      stopped = true;
      return pings;
    },
  };
}
