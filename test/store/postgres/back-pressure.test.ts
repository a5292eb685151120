import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createTestSchema } from '../../helpers/postgres.js';
import { type BuiltServer, buildServer, type ServerProcess, startServerProcess } from '../../helpers/server-process.js';

/*
 * A slow database (its threads table locked by another session) must not let requests and their bodies
 * pile up: past PG_POOL_MAX busy connections and PG_MAX_WAITING queued calls, or past PG_MAX_PENDING_BYTES
 * of bodies in flight, requests get 503 at once.
 * BACK_PRESSURE_REQUESTS and BACK_PRESSURE_BODY_BYTES scale it up to measure the peak RSS (e.g. 150 and 2000000);
 * BACK_PRESSURE_PENDING_BYTES=1000000000 shows it without the byte bound.
 */

const KEY = 'sk-back-pressure-00000000';
const POOL = 2;
const WAITING = 3;
const REQUESTS = Number(process.env.BACK_PRESSURE_REQUESTS ?? 40);
const BODY_BYTES = Number(process.env.BACK_PRESSURE_BODY_BYTES ?? 100_000);
const MEASURING = process.env.BACK_PRESSURE_REQUESTS !== undefined;
/** Room for three big bodies: fewer than the pool and its queue hold. */
const PENDING_BYTES = Number(process.env.BACK_PRESSURE_PENDING_BYTES ?? Math.floor(BODY_BYTES * 3.5));

let built: BuiltServer;
let database: Awaited<ReturnType<typeof createTestSchema>>;
let server: ServerProcess;
beforeAll(async () => {
  built = await buildServer();
  database = await createTestSchema(inject('postgresTestsUrl'));
  server = await startServerProcess(built.entry, {
    DATABASE_URL: database.url,
    API_KEYS: KEY,
    PG_POOL_MAX: String(POOL),
    PG_MAX_WAITING: String(WAITING),
    PG_MAX_PENDING_BYTES: String(PENDING_BYTES),
    PG_STATEMENT_TIMEOUT_MS: '0',
    BODY_LIMIT: String(BODY_BYTES + 100_000),
  });
}, 120_000);
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await database?.drop();
  built?.remove();
});

/** Peak resident memory of the server process so far, in MB (Linux). */
const peakRssMb = () =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))?.[1]) / 1024;

/** A thread create of about BODY_BYTES, in messages of at most 256,000 characters. */
function bigThread() {
  const chunk = 250_000;
  const messages = Array.from({ length: Math.ceil(BODY_BYTES / chunk) }, (_, i) => ({
    role: 'user',
    content: 'x'.repeat(Math.min(chunk, BODY_BYTES - i * chunk)),
  }));
  return JSON.stringify({ messages });
}

async function burst(body: string, held: number) {
  const create = (body: string) =>
    fetch(`${server.baseURL}/v1/threads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body,
    });
  const rssBefore = peakRssMb();

  const locker = new pg.Client({ connectionString: database.url });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE threads IN ACCESS EXCLUSIVE MODE');
  let locked = true;
  const answers = Array.from({ length: REQUESTS }, () =>
    create(body).then(async (res) => ({
      status: res.status,
      headers: res.headers,
      json: await res.json(),
      whileLocked: locked,
    })),
  );
  try {
    // Every request but those holding a connection or queued for one is answered while the lock is held.
    let answered = 0;
    for (const answer of answers) void answer.then(() => answered++);
    const deadline = Date.now() + 120_000;
    while (answered < REQUESTS - held && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(REQUESTS - held);
    // Measuring: the held requests' bodies are in by the time the peak stops rising. (Not by default: a
    // request queued for a connection gives up after 10 s, and the held ones must still get theirs.)
    for (let last = 0; MEASURING && peakRssMb() > last; ) {
      last = peakRssMb();
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    console.info(
      `${REQUESTS} concurrent creates of ${body.length} bytes against a locked table, PG_POOL_MAX=${POOL} PG_MAX_WAITING=${WAITING} PG_MAX_PENDING_BYTES=${PENDING_BYTES}: ` +
        `peak RSS ${rssBefore.toFixed(0)} MB before, ${peakRssMb().toFixed(0)} MB while locked`,
    );
    const health = await fetch(`${server.baseURL}/health`);
    expect(health.status).toBe(200);
  } finally {
    locked = false;
    await locker.query('COMMIT');
    await locker.end();
  }
  const results = await Promise.all(answers);

  const refused = results.filter((r) => r.status === 503);
  expect(refused).toHaveLength(REQUESTS - held);
  for (const answer of refused) {
    expect(answer.whileLocked).toBe(true);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.headers.get('x-should-retry')).toBe('true');
    expect(answer.json).toEqual({
      error: { message: 'The server is overloaded or not ready yet.', type: 'server_error', param: null, code: null },
    });
  }
  const served = results.filter((r) => r.status === 200);
  expect(served).toHaveLength(held);
  for (const answer of served) expect(answer.whileLocked).toBe(false);
}

test('with the threads table locked, small requests past the pool and its wait queue get 503 at once; the others finish once it is free', async () => {
  await burst('{}', POOL + WAITING);
}, 180_000);

test('with the threads table locked, big bodies past PG_MAX_PENDING_BYTES get 503 at once, before they are read', async () => {
  const body = bigThread();
  await burst(body, Math.min(POOL + WAITING, Math.max(1, Math.floor(PENDING_BYTES / body.length))));
}, 180_000);
