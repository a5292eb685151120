import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, expect, test } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openEventStream, type EventStream, type EventStreamOptions } from '../../src/http/sse.js';

// The writer on the real app (its x-request-id hook, its error handler), listening, read by Node's raw client.

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The app with one streaming route whose body is the test's; the base URL. */
async function serve(write: (stream: EventStream) => Promise<void> | void, options?: EventStreamOptions) {
  app = await buildApp(loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent' }));
  app.get('/stream', async (_request, reply) => {
    const stream = openEventStream(reply, options);
    void write(stream);
    return reply;
  });
  return app.listen({ port: 0, host: '127.0.0.1' });
}

function get(base: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const url = new URL('/stream', base);
    httpRequest({ host: url.hostname, port: url.port, path: url.pathname, agent: false }, resolve)
      .on('error', reject)
      .end();
  });
}

async function readAll(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const piece of response) text += piece;
  return text;
}

test('frames, headers and the closing [DONE]', async () => {
  const base = await serve(async (stream) => {
    await stream.send('thread.run.created', { id: 'run_1', object: 'thread.run' });
    await stream.send('thread.message.delta', {
      delta: { content: [{ index: 0, type: 'text', text: { value: 'a\nb' } }] },
    });
    stream.done();
    expect(stream.closed).toBe(true);
    await stream.send('late', {});
    stream.done();
  });
  const response = await get(base);
  expect(response.statusCode).toBe(200);
  expect(response.headers).toMatchObject({
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'transfer-encoding': 'chunked',
  });
  expect(response.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
  expect(await readAll(response)).toBe(
    'event: thread.run.created\ndata: {"id":"run_1","object":"thread.run"}\n\n' +
      'event: thread.message.delta\ndata: {"delta":{"content":[{"index":0,"type":"text","text":{"value":"a\\nb"}}]}}\n\n' +
      'event: done\ndata: [DONE]\n\n',
  );
});

test('a heartbeat comment while the stream is quiet', async () => {
  const base = await serve(
    async (stream) => {
      await sleep(230);
      stream.done();
    },
    { heartbeatMs: 50 },
  );
  const text = await readAll(await get(base));
  const beats = text.split(': keep-alive\n\n');
  expect(beats.length - 1).toBeGreaterThanOrEqual(2);
  expect(beats.at(-1)).toBe('event: done\ndata: [DONE]\n\n');
  expect(beats.slice(0, -1).every((before) => before === '')).toBe(true);
});

test('a client that goes away: onClose fires, closed turns true, later calls do nothing and throw nothing', async () => {
  let closedSeen = false;
  let sendsAfter = 0;
  const finished = new Promise<void>((resolve, reject) => {
    serve(async (stream) => {
      stream.onClose(() => {
        closedSeen = true;
      });
      try {
        await stream.send('first', {});
        while (!stream.closed) await stream.send('tick', { at: Date.now() }).then(() => sleep(5));
        await stream.send('after', {});
        sendsAfter++;
        stream.done();
        let lateListener = false;
        stream.onClose(() => {
          lateListener = true;
        });
        await sleep(0);
        expect(lateListener).toBe(true);
        resolve();
      } catch (error) {
        reject(error);
      }
    }).then(async (base) => {
      const response = await get(base);
      response.once('data', () => response.destroy());
    }, reject);
  });
  await finished;
  expect(closedSeen).toBe(true);
  expect(sendsAfter).toBe(1);
});

test('a stream opened after its client went away is over at once: onClose fires, nothing throws', async () => {
  app = await buildApp(loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent' }));
  let resolveOpened!: (stream: EventStream) => void;
  const opened = new Promise<EventStream>((resolve) => {
    resolveOpened = resolve;
  });
  app.get('/stream', async (_request, reply) => {
    await new Promise((gone) => reply.raw.once('close', gone));
    const stream = openEventStream(reply);
    resolveOpened(stream);
    return reply;
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const url = new URL('/stream', base);
  const client = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, agent: false });
  client.on('error', () => undefined).end();
  await sleep(50);
  client.destroy();
  const stream = await opened;
  const closed = new Promise<void>((resolve) => stream.onClose(resolve));
  await stream.send('late', {});
  stream.done();
  await closed;
  expect(stream.closed).toBe(true);
});

test('send waits for the client to take more (back-pressure), and resolves when it does', async () => {
  const piece = 'x'.repeat(256 * 1024);
  let sent = 0;
  let all: () => void = () => undefined;
  const allSent = new Promise<void>((resolve) => {
    all = resolve;
  });
  const base = await serve(async (stream) => {
    for (let i = 0; i < 100; i++) {
      await stream.send('big', piece);
      sent++;
    }
    stream.done();
    all();
  });
  const response = await get(base);
  response.pause();
  await sleep(300);
  // 25 MiB offered; what is written stops at the buffers of the stream and the sockets.
  expect(sent).toBeLessThan(40);
  const text = await readAll(response);
  await allSent;
  expect(sent).toBe(100);
  expect(text.length).toBe(
    100 * (piece.length + 2 + 'event: big\ndata: \n\n'.length) + 'event: done\ndata: [DONE]\n\n'.length,
  );
});

test('onClose after done() fires when the response is over', async () => {
  let over: (closed: boolean) => void = () => undefined;
  const closedAtClose = new Promise<boolean>((resolve) => {
    over = resolve;
  });
  const base = await serve((stream) => {
    stream.onClose(() => over(stream.closed));
    stream.done();
  });
  expect(await readAll(await get(base))).toBe('event: done\ndata: [DONE]\n\n');
  expect(await closedAtClose).toBe(true);
});
