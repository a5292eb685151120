import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { expect, test } from 'vitest';
import { nextSlice, SLICE_MS } from '../../src/runs/time-slices.js';

/** Holds the event loop, as a burst of run work does. */
function hold(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('work goes on at once while its slice lasts', async () => {
  await nextTurn();
  expect(nextSlice()).toBeUndefined();
  hold(SLICE_MS / 4);
  expect(nextSlice()).toBeUndefined();
});

test('past a slice, work waits until the loop has polled for I/O, then goes on first come first served', async () => {
  const server = createServer((socket) => socket.on('data', () => order.push('request read')));
  const order: string[] = [];
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  await nextTurn();
  // A request arrives while run work holds the loop past its slice.
  await new Promise<void>((done) => client.write('GET /health', () => done()));
  expect(nextSlice()).toBeUndefined();
  hold(SLICE_MS + 2);
  const waits = [1, 2, 3].map((n) => nextSlice()?.then(() => order.push(`work ${n}`)));
  expect(waits.every((wait) => wait !== undefined)).toBe(true);
  await Promise.all(waits);
  expect(order).toEqual(['request read', 'work 1', 'work 2', 'work 3']);
  client.destroy();
  server.close();
});
