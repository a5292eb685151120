// `npm run bench [-- --quick] [--db sqlite|postgres] [--runs N] [--seconds S] [--log-level L] [--only runs]`
// Builds, seeds fresh databases without HTTP, starts the built server and a bare Fastify baseline, drives
// both with autocannon and prints the table; then streamed runs against a scripted upstream (bench/runs.mjs),
// alone with `--only runs`. Fails only on errors (failed requests, a server that does not
// start), never on a missed target: these machines are noisy.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../test/helpers/postgres-processes.mjs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { call, writeThread } from './api-client.mjs';
import { engines } from './engines.mjs';
import { CONNECTIONS, load } from './load.mjs';
import { messageText } from './message-text.mjs';
import { cpuSeconds, pinSelf, rssMb, startServer, stopServer } from './processes.mjs';
import { median, table } from './report.mjs';
import { benchRuns } from './runs.mjs';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    db: { type: 'string', default: 'sqlite' },
    runs: { type: 'string' },
    seconds: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    only: { type: 'string' },
  },
});
const engine = engines[options.db];
if (!engine) throw new Error(`--db ${options.db}: unknown engine; known: ${Object.keys(engines).join(', ')}`);
if (options.only !== undefined && options.only !== 'runs')
  throw new Error(`--only ${options.only}: only runs is known`);
/**
 * Issue 13's targets, per engine: the least req/s ratio each case must reach against what it is compared
 * with. Cases against bare Fastify must also keep their p99 within P99_TARGET times the baseline's.
 */
const TARGETS = {
  sqlite: {
    retrieve: 0.9,
    list: 0.8,
    items: 0.9,
    update: 0.8,
    create: 0.7,
    spread: 0.7,
    big: 0.9,
    deep: 0.9,
    hidden: 0.9,
  },
  postgres: { retrieve: 0.4, list: 0.4, items: 0.9, create: 0.15, spread: 0.3, big: 0.9, deep: 0.9, hidden: 0.9 },
};
const P99_TARGET = 1.5;
const targets = TARGETS[options.db] ?? {};
const quick = options.quick;
const runs = Number(options.runs ?? 1);
const seconds = Number(options.seconds ?? (quick ? 1 : 10));
const warmupSeconds = quick ? 0.5 : 2;
const BIG = quick ? 20_000 : 1_000_000;
const SHALLOW = 50;
/** Messages written through the API into a thread just before its pages are measured (no ANALYZE since). */
const FRESH = quick ? 2_000 : 100_000;
/** A thread of HIDDEN_MESSAGES messages with HIDDEN_EACH function calls after each, which the thread view hides. */
const HIDDEN_MESSAGES = 100;
const HIDDEN_EACH = quick ? 200 : 8_000;
/** Threads the spread create case writes into, one request after the other: as many as connections. */
const SPREAD = 32;
/** Enough messages to delete one per request for every delete run, at a generous rate. */
const DELETE_POOL = Math.ceil((seconds * runs + warmupSeconds) * 25_000);

const ROOT = new URL('..', import.meta.url);
const SERVER = ['dist/server.js'];
const BASELINE = ['bench/baseline-server.mjs'];

const short = (count) => (count >= 1_000_000 ? `${count / 1_000_000}M` : `${count / 1_000}K`);
const pick = (list, i) => list[(i * 7919) % list.length];
const createBody = JSON.stringify({ role: 'user', content: messageText(0), metadata: { source: 'bench' } });
const updateBody = JSON.stringify({ metadata: { note: 'updated by the benchmark', tag: 'x' } });

function step(text) {
  process.stderr.write(`bench: ${text}\n`);
}

async function main() {
  const loadBefore = loadavg()[0];
  const pinned = pinSelf(1);
  step(`build${pinned ? '; load generator on core 1, servers on core 0' : ''}`);
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');

  const dir = mkdtempSync(join(tmpdir(), 'threadstore-bench-'));
  const servers = [];
  const serverEnv = (databaseUrl) => ({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: options['log-level'],
    HOST: '127.0.0.1',
  });
  const start = async (args, env) => {
    const server = await startServer({ args, env, port: await freePort(), core: 0 });
    servers.push(server);
    return server;
  };
  const stop = async (server) => {
    await stopServer(server);
    servers.splice(servers.indexOf(server), 1);
  };

  const streamedRuns = async () => {
    const before = loadavg()[0];
    const text = await benchRuns({ engine, dir, quick, rounds: runs, logLevel: options['log-level'], step });
    console.log(
      `\nstreamed runs (${options.db}) against the scripted upstream called directly; load average ${before.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after\n\n${text}`,
    );
  };
  try {
    if (options.only === 'runs') return await streamedRuns();
    const seeding = performance.now();
    const small = await engine.prepare(dir, 'small', [
      ...Array(1_000 / SHALLOW).fill(SHALLOW),
      ...Array(SPREAD).fill(0),
    ]);
    const work = await engine.prepare(dir, 'work', [DELETE_POOL], { keep: DELETE_POOL });
    const big = await engine.prepare(dir, 'big', [
      BIG - SHALLOW,
      SHALLOW,
      { count: HIDDEN_MESSAGES, hidden: HIDDEN_EACH },
    ]);
    step(
      `seeded ${options.db}: 1,000 + ${DELETE_POOL.toLocaleString()} + ${BIG.toLocaleString()} messages and ${(HIDDEN_MESSAGES * HIDDEN_EACH).toLocaleString()} function calls in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );

    const smallIds = small.threads.filter((t) => t.count > 0).flatMap((t) => t.messageIds.map((m) => [t.id, m]));
    const createThreads = small.threads.filter((t) => t.count === 0).map((t) => t.id);
    const createThread = createThreads[0];
    const [bigThread, bigShallow, hiddenThread] = big.threads;
    const bigIds = bigThread.messageIds;
    // Deep cursors: anywhere in the middle half of the big thread, so every page is full.
    const deepCursors = bigIds.slice(Math.floor(bigIds.length / 4), Math.floor((bigIds.length * 3) / 4));
    // Shallow cursors: newest first, `after` one of messages 31-40 leaves 30-39 older ones to list; oldest
    // first, `after` one of messages 11-20 leaves 30-39 newer ones.
    const shallowCursors = { desc: bigShallow.messageIds.slice(30, 40), asc: bigShallow.messageIds.slice(10, 20) };
    const messagePath = (thread, id) => `/v1/threads/${thread}/messages/${id}`;

    let threadstore = await start(SERVER, serverEnv(small.databaseUrl));
    const [sampleThread, sampleMessage] = smallIds[0];
    const canned = {
      retrieve: await call(threadstore.url, 'GET', messagePath(sampleThread, sampleMessage)),
      list: await call(threadstore.url, 'GET', `/v1/threads/${sampleThread}/messages?limit=20`),
      create: await call(threadstore.url, 'POST', `/v1/threads/${createThread}/messages`, createBody),
      update: await call(threadstore.url, 'POST', messagePath(sampleThread, sampleMessage), updateBody),
    };
    writeFileSync(join(dir, 'canned.json'), JSON.stringify(canned));
    const baseline = await start([...BASELINE, join(dir, 'canned.json')], {});

    // A threadstore server's CPU includes what its engine spends outside it (PostgreSQL's backends).
    const serverCpu = (server) =>
      cpuSeconds(server.child.pid) + (server === baseline ? 0 : (engine.cpuSeconds?.() ?? 0));
    const measure = async (server, request) => {
      await load(server.url, request, warmupSeconds);
      const cpuBefore = serverCpu(server);
      const result = await load(server.url, request, seconds);
      const cpuUs = ((serverCpu(server) - cpuBefore) * 1e6) / result.requests;
      return { ...result, cpuUs, rssMb: rssMb(server.child.pid) };
    };
    const summary = (list) => ({
      rps: median(list.map((r) => r.rps)),
      p50: median(list.map((r) => r.p50)),
      p99: median(list.map((r) => r.p99)),
      cpuUs: median(list.map((r) => r.cpuUs)),
      rssMb: median(list.map((r) => r.rssMb)),
    });
    const rows = [];
    /**
     * Runs a case `runs` times, each time right after what it is compared with (the baseline, or the same
     * request shape on a smaller data set), and keeps the medians of each side.
     */
    const runCase = async ({ name, server, request, against, target, p99Target }) => {
      const own = [];
      const other = [];
      for (let run = 0; run < runs; run++) {
        other.push(await measure(against.server, against.request ?? request));
        own.push(await measure(server, request));
      }
      const failures = [...own, ...other].reduce((sum, r) => sum + r.failures, 0);
      if (failures > 0) throw new Error(`${name}: ${failures} failed requests`);
      const theirs = summary(other);
      const row = {
        name,
        ...summary(own),
        against: against.name,
        againstRps: theirs.rps,
        againstP99: theirs.p99,
        againstCpuUs: theirs.cpuUs,
        target,
        p99Target,
      };
      rows.push(row);
      step(`${name}: ${Math.round(row.rps)} req/s against ${Math.round(row.againstRps)} (${against.name})`);
    };
    /** A case against bare Fastify: its req/s target, and its p99 within P99_TARGET of the baseline's. */
    const bare = { name: 'bare Fastify', server: baseline };
    const againstBare = (name, server, request, target) =>
      runCase({ name, server, request, against: bare, target, p99Target: P99_TARGET });

    const get = (path) => ({ method: 'GET', path });
    const retrieveSmall = (i) => get(messagePath(...pick(smallIds, i)));
    await againstBare('retrieve', threadstore, retrieveSmall, targets.retrieve);
    const listSmall = (i) => get(`/v1/threads/${pick(smallIds, i)[0]}/messages?limit=20`);
    await againstBare('list 20', threadstore, listSmall, targets.list);
    await runCase({
      name: 'items list 20 (Conversations)',
      server: threadstore,
      request: (i) => get(`/v1/conversations/${pick(smallIds, i)[0]}/items?limit=20`),
      against: { name: 'list 20 (messages)', server: threadstore, request: listSmall },
      target: targets.items,
    });
    const update = (i) => ({ method: 'POST', path: messagePath(...pick(smallIds, i)), body: updateBody });
    await againstBare('update metadata', threadstore, update, targets.update);

    const startups = [];
    let bigServer;
    for (let i = 0; i < Math.max(3, runs); i++) {
      if (bigServer) await stop(bigServer);
      bigServer = await start(SERVER, serverEnv(big.databaseUrl));
      startups.push(bigServer);
    }
    const startupMs = median(startups.map((s) => s.startupMs));
    const startupCpuMs = median(startups.map((s) => s.startupCpuMs));
    step(
      `start-up on the ${BIG.toLocaleString()}-message database: ${startupMs.toFixed(0)} ms (median of ${startups.length})`,
    );
    const retrieveBig = (i) => get(messagePath(bigThread.id, pick(bigIds, i)));
    await runCase({
      name: `retrieve in ${short(BIG)}-message db`,
      server: bigServer,
      request: retrieveBig,
      against: { name: 'retrieve in 1K-message db', server: threadstore, request: retrieveSmall },
      target: targets.big,
    });

    const page = (thread, order, cursors) => (i) =>
      get(`/v1/threads/${thread}/messages?limit=20&order=${order}&after=${pick(cursors, i)}`);
    /** A page far from where its order starts against one near it; both checked to be full pages first. */
    const deepCase = async (name, deep, shallow, target = targets.deep) => {
      for (const request of [deep, shallow.request]) {
        const answer = await call(bigServer.url, 'GET', request(0).path);
        if (answer.data.length !== 20 || !answer.has_more) throw new Error(`${name}: not a full page of 20`);
      }
      await runCase({
        name,
        server: bigServer,
        request: deep,
        against: { server: bigServer, ...shallow },
        target,
      });
    };
    for (const [order, suffix] of [
      ['desc', ''],
      ['asc', ', oldest first'],
    ]) {
      await deepCase(`list 20 deep in a ${short(BIG)} thread${suffix}`, page(bigThread.id, order, deepCursors), {
        name: `list 20 in a thread of 50${suffix}`,
        request: page(bigShallow.id, order, shallowCursors[order]),
      });
    }
    // The thread view's page where the thread holds HIDDEN_EACH function calls after each message: 20 messages
    // with 20 × HIDDEN_EACH items between them, against the same page of a thread of messages only.
    await deepCase(
      `list 20 among ${short(HIDDEN_MESSAGES * HIDDEN_EACH)} function calls`,
      page(hiddenThread.id, 'desc', hiddenThread.messageIds.slice(60, 70)),
      { name: 'list 20 in a thread of 50', request: page(bigShallow.id, 'desc', shallowCursors.desc) },
      targets.hidden,
    );
    // A thread written through the API just now: no VACUUM or ANALYZE has seen it. Its far end (`after` one
    // of its 31st-40th messages counted from where the order ends) against its near end, in both orders.
    const fresh = await writeThread(bigServer.url, FRESH);
    const nearOldest = fresh.messageIds.slice(30, 40);
    const nearNewest = fresh.messageIds.slice(-40, -30);
    for (const [order, suffix, far, near] of [
      ['desc', '', nearOldest, nearNewest],
      ['asc', ', oldest first', nearNewest, nearOldest],
    ]) {
      await deepCase(`list 20 far in a ${short(FRESH)} thread just written${suffix}`, page(fresh.id, order, far), {
        name: `list 20 near its start${suffix}`,
        request: page(fresh.id, order, near),
      });
    }
    const bigRssMb = rssMb(bigServer.child.pid);
    await stop(bigServer);

    const createIn = (threads) => (i) => ({
      method: 'POST',
      path: `/v1/threads/${threads[i % threads.length]}/messages`,
      body: createBody,
    });
    await againstBare('create message', threadstore, createIn([createThread]), targets.create);
    await againstBare(`create over ${SPREAD} threads`, threadstore, createIn(createThreads), targets.spread);
    await stop(threadstore);

    threadstore = await start(SERVER, serverEnv(work.databaseUrl));
    const pool = work.threads[0];
    // Each request deletes a message not deleted before, across warm-up and measured runs.
    let deleted = 0;
    const remove = () => ({ method: 'DELETE', path: messagePath(pool.id, pool.messageIds[deleted++]) });
    const removeBare = (i) => ({
      method: 'DELETE',
      path: messagePath(pool.id, pool.messageIds[i % pool.messageIds.length]),
    });
    await runCase({
      name: 'delete',
      server: threadstore,
      request: remove,
      against: { ...bare, request: removeBare },
      p99Target: P99_TARGET,
    });

    console.log(
      `\nthreadstore (${options.db}) against bare Fastify, ${CONNECTIONS} connections, ${seconds} s per run, ` +
        `median of ${runs} run${runs === 1 ? '' : 's'}; ${engine.cpuSeconds?.() === undefined ? '' : 'CPU includes the PostgreSQL backends; '}${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; ` +
        `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after\n`,
    );
    console.log(table(rows));
    const slow = rows.filter((row) => row.p99Target && row.p99 > row.p99Target * row.againstP99).map((row) => row.name);
    console.log(`
p99 within ${P99_TARGET}× bare Fastify's in every case against it: ${slow.length === 0 ? 'met' : `MISSED (${slow.join(', ')})`}
start-up on the ${BIG.toLocaleString()}-message database: ${startupMs.toFixed(0)} ms wall, ${startupCpuMs?.toFixed(0) ?? '–'} ms CPU (target < 1000 ms: ${startupMs < 1000 ? 'met' : 'MISSED'})
server RSS after serving the ${BIG.toLocaleString()}-message database: ${bigRssMb?.toFixed(0) ?? '–'} MB (target < 150 MB: ${bigRssMb === undefined ? 'unmeasured' : bigRssMb < 150 ? 'met' : 'MISSED'})`);
    await streamedRuns();
  } finally {
    for (const server of [...servers]) await stopServer(server);
    await engine.close?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench: ${error.stack ?? error}`);
  process.exitCode = 1;
});
