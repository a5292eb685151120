// `npm run bench [-- --quick] [--db sqlite|postgres] [--runs N] [--seconds S] [--log-level L]`
// Builds, seeds fresh databases without HTTP, starts the built server and a bare Fastify baseline, drives
// both with autocannon and prints the table. Fails only on errors (failed requests, a server that does not
// start), never on a missed target: these machines are noisy.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../test/helpers/postgres-processes.mjs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { engines } from './engines.mjs';
import { CONNECTIONS, load } from './load.mjs';
import { messageText } from './message-text.mjs';
import { cpuSeconds, pinSelf, rssMb, startServer, stopServer } from './processes.mjs';
import { median, table } from './report.mjs';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    db: { type: 'string', default: 'sqlite' },
    runs: { type: 'string' },
    seconds: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
  },
});
const engine = engines[options.db];
if (!engine) throw new Error(`--db ${options.db}: unknown engine; known: ${Object.keys(engines).join(', ')}`);
const quick = options.quick;
const runs = Number(options.runs ?? 1);
const seconds = Number(options.seconds ?? (quick ? 1 : 10));
const warmupSeconds = quick ? 0.3 : 2;
const BIG = quick ? 20_000 : 1_000_000;
const SHALLOW = 50;
/** Enough messages to delete one per request for every delete run, at a generous rate. */
const DELETE_POOL = Math.ceil((seconds * runs + warmupSeconds) * 25_000);

const ROOT = new URL('..', import.meta.url);
const SERVER = ['dist/server.js'];
const BASELINE = ['bench/baseline-server.mjs'];

const short = (count) => (count >= 1_000_000 ? `${count / 1_000_000}M` : `${count / 1_000}K`);
const pick = (list, i) => list[(i * 7919) % list.length];
const createBody = JSON.stringify({ role: 'user', content: messageText(0), metadata: { source: 'bench' } });
const updateBody = JSON.stringify({ metadata: { note: 'updated by the benchmark', tag: 'x' } });

async function call(url, method, path, body) {
  const response = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

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

  try {
    const seeding = performance.now();
    const small = await engine.prepare(dir, 'small', [...Array(1_000 / SHALLOW).fill(SHALLOW), 0]);
    const work = await engine.prepare(dir, 'work', [DELETE_POOL], { keep: DELETE_POOL });
    const big = await engine.prepare(dir, 'big', [BIG - SHALLOW, SHALLOW]);
    step(
      `seeded ${options.db}: 1,000 + ${DELETE_POOL.toLocaleString()} + ${BIG.toLocaleString()} messages in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );

    const smallIds = small.threads.slice(0, -1).flatMap((t) => t.messageIds.map((m) => [t.id, m]));
    const createThread = small.threads.at(-1).id;
    const [bigThread, bigShallow] = big.threads;
    const bigIds = bigThread.messageIds;
    // Deep cursors: anywhere in the middle half of the big thread, so every page is full.
    const deepCursors = bigIds.slice(Math.floor(bigIds.length / 4), Math.floor((bigIds.length * 3) / 4));
    // Shallow cursors: pages run newest first, so `after` one of messages 31-40 leaves 20 older ones to list.
    const shallowCursors = bigShallow.messageIds.slice(30, 40);
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
    const runCase = async ({ name, server, request, against, target }) => {
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
      };
      rows.push(row);
      step(`${name}: ${Math.round(row.rps)} req/s against ${Math.round(row.againstRps)} (${against.name})`);
    };
    const bare = { name: 'bare Fastify', server: baseline };

    const get = (path) => ({ method: 'GET', path });
    const retrieveSmall = (i) => get(messagePath(...pick(smallIds, i)));
    await runCase({ name: 'retrieve', server: threadstore, request: retrieveSmall, against: bare, target: 0.9 });
    const listSmall = (i) => get(`/v1/threads/${pick(smallIds, i)[0]}/messages?limit=20`);
    await runCase({ name: 'list 20', server: threadstore, request: listSmall, against: bare, target: 0.8 });
    const update = (i) => ({ method: 'POST', path: messagePath(...pick(smallIds, i)), body: updateBody });
    await runCase({ name: 'update metadata', server: threadstore, request: update, against: bare });

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
      target: 0.9,
    });
    const deep = (i) => get(`/v1/threads/${bigThread.id}/messages?limit=20&after=${pick(deepCursors, i)}`);
    const shallow = (i) => get(`/v1/threads/${bigShallow.id}/messages?limit=20&after=${pick(shallowCursors, i)}`);
    for (const [name, request] of [
      ['deep', deep],
      ['shallow', shallow],
    ]) {
      const page = await call(bigServer.url, 'GET', request(0).path);
      if (page.data.length !== 20 || !page.has_more) throw new Error(`the ${name} page is not a full page of 20`);
    }
    await runCase({
      name: `list 20 deep in a ${short(BIG)} thread`,
      server: bigServer,
      request: deep,
      against: { name: 'list 20 in a thread of 50', server: bigServer, request: shallow },
      target: 0.9,
    });
    const bigRssMb = rssMb(bigServer.child.pid);
    await stop(bigServer);

    const create = () => ({ method: 'POST', path: `/v1/threads/${createThread}/messages`, body: createBody });
    await runCase({ name: 'create message', server: threadstore, request: create, against: bare, target: 0.7 });
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
    await runCase({ name: 'delete', server: threadstore, request: remove, against: { ...bare, request: removeBare } });

    const p99Limit = 10;
    console.log(
      `\nthreadstore (${options.db}) against bare Fastify, ${CONNECTIONS} connections, ${seconds} s per run, ` +
        `median of ${runs} run${runs === 1 ? '' : 's'}; ${engine.cpuSeconds?.() === undefined ? '' : 'CPU includes the PostgreSQL backends; '}${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; ` +
        `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after\n`,
    );
    console.log(table(rows));
    const slow = rows.filter((row) => row.p99 >= p99Limit).map((row) => row.name);
    console.log(`
p99 under ${p99Limit} ms in every case: ${slow.length === 0 ? 'met' : `MISSED (${slow.join(', ')})`}
start-up on the ${BIG.toLocaleString()}-message database: ${startupMs.toFixed(0)} ms wall, ${startupCpuMs?.toFixed(0) ?? '–'} ms CPU (target < 1000 ms: ${startupMs < 1000 ? 'met' : 'MISSED'})
server RSS after serving the ${BIG.toLocaleString()}-message database: ${bigRssMb?.toFixed(0) ?? '–'} MB (target < 150 MB: ${bigRssMb === undefined ? 'unmeasured' : bigRssMb < 150 ? 'met' : 'MISSED'})`);
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
