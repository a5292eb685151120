// TEMPORARY until the `upstream` branch merges: its src/http/sse.ts `openEventStream`, as far as runs use it.
import type { FastifyReply } from 'fastify';

export interface EventStream {
  send(event: string, data: unknown): Promise<void>;
  done(): void;
  readonly closed: boolean;
  onClose(listener: () => void): void;
}

export function openEventStream(reply: FastifyReply): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': reply.request.id,
  });
  let closed = false;
  const listeners: (() => void)[] = [];
  res.on('close', () => {
    closed = true;
    for (const listener of listeners) listener();
  });
  return {
    async send(event, data) {
      if (closed) return;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      if (!res.write(`event: ${event}\ndata: ${text}\n\n`)) await new Promise((r) => res.once('drain', r));
    },
    done() {
      if (closed) return;
      res.end('event: done\ndata: [DONE]\n\n');
    },
    get closed() {
      return closed;
    },
    onClose(listener) {
      listeners.push(listener);
    },
  };
}
