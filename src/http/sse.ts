import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';

export interface EventStreamOptions {
  /** A comment line every so often keeps proxies and load balancers from closing a quiet stream. */
  heartbeatMs?: number;
}

export interface EventStream {
  /** Writes one `event:`/`data:` frame (data as JSON); resolves once the client can take more, or at once when it is gone. */
  send(event: string, data: unknown): Promise<void>;
  /** Writes `event: done` / `data: [DONE]` and ends the response. */
  done(): void;
  /** True once done() was called or the client went away: nothing more is written. */
  readonly closed: boolean;
  /** Called once when the response is over, ended by done() or by the client going away. */
  onClose(listener: () => void): void;
}

export const HEARTBEAT_MS = 15_000;

const HEARTBEAT = ': keep-alive\n\n';

/**
 * Answers the request with a `text/event-stream` the caller writes to. The reply is sent through Fastify
 * (a stream body), so the headers the app set (`x-request-id`, CORS), the request log line and the metrics
 * still apply; the handler returns `reply`. Once the client goes away every call is a no-op: nothing throws.
 */
export function openEventStream(reply: FastifyReply, options: EventStreamOptions = {}): EventStream {
  const body = new PassThrough();
  let ended = false;
  let over = false;
  const listeners: (() => void)[] = [];
  const heartbeat = setInterval(() => {
    if (!ended && !over && !body.writableNeedDrain) body.write(HEARTBEAT);
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  const finish = () => {
    if (over) return;
    over = true;
    clearInterval(heartbeat);
    for (const listener of listeners.splice(0)) listener();
  };
  // 'close' on the response: finished, or its connection lost; Fastify then destroys the body too.
  reply.raw.once('close', finish);
  body.once('close', finish);
  body.on('error', () => undefined);
  reply
    .code(200)
    .header('content-type', 'text/event-stream')
    .header('cache-control', 'no-cache')
    .header('connection', 'keep-alive')
    // nginx buffers proxied answers unless told not to.
    .header('x-accel-buffering', 'no')
    .send(body);
  // Events sent together (a message's four before its first delta, a burst of chunks under load) leave in one
  // write to the socket: corked until the work queued now is done.
  let corked = false;
  const cork = () => {
    if (corked) return;
    corked = true;
    reply.raw.cork();
    process.nextTick(() => {
      corked = false;
      reply.raw.uncork();
    });
  };
  return {
    get closed() {
      return ended || over;
    },
    send(event, data) {
      if (/[\r\n]/.test(event)) throw new TypeError(`an event name cannot hold a line break: ${JSON.stringify(event)}`);
      if (ended || over) return Promise.resolve();
      cork();
      if (body.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)) return Promise.resolve();
      return new Promise((resolve) => {
        const go = () => {
          body.off('drain', go);
          body.off('close', go);
          resolve();
        };
        body.on('drain', go);
        body.on('close', go);
      });
    },
    done() {
      if (ended || over) return;
      ended = true;
      clearInterval(heartbeat);
      body.end('event: done\ndata: [DONE]\n\n');
    },
    onClose(listener) {
      if (over) queueMicrotask(listener);
      else listeners.push(listener);
    },
  };
}
