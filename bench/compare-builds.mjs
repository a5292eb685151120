// `node bench/compare-builds.mjs <build-a> <build-b> [--rounds 3] [--seconds 2] [--cases retrieve,list20,update,create]`
// (cases: retrieve, list20, items20, update, create, spread: creates over 32 threads, hidden20: the thread
// view's newest 20 in a thread of 50 messages with 200 function calls after each)
// Server CPU per request of two builds of the server, side by side: each build is a folder holding a built
// `dist/` tree, placed at the repository root (so `../package.json` and `../migrations` resolve), e.g.
//   git stash && npm run build && cp -r dist dist-before && git stash pop && npm run build
//   node bench/compare-builds.mjs dist-before dist
// Both run at once on copies of one seeded database (core 0, load generator on core 1); the runs of a case
// alternate between them, so both see the same machine load. Prints the medians and every run.
// `--db postgres`: both on one seeded database of a throwaway cluster (core 0); a run's CPU then includes
// the cluster's (only the server under load uses it meanwhile).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { load } from './load.mjs';
import { median } from './report.mjs';
import { cpuSeconds, pinSelf, startServer, stopServer } from './processes.mjs';
import { engines } from './engines.mjs';
import { freePort } from '../test/helpers/postgres-processes.mjs';
import { seedSqlite } from './seed-sqlite.mjs';

const { values: options, positionals: builds } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '2' },
    cases: { type: 'string', default: 'retrieve,list20,update,create' },
    db: { type: 'string', default: 'sqlite' },
  },
});
if (builds.length !== 2)
  throw new Error('usage: node bench/compare-builds.mjs <build-a> <build-b> [--rounds N] [--seconds S] [--cases …]');

pinSelf(1);
const dir = mkdtempSync(join(tmpdir(), 'threadstore-compare-'));
const shape = [...Array(20).fill(50), ...Array(32).fill(0), { count: 50, hidden: 200 }];
let threads;
let databaseUrls;
let engine;
if (options.db === 'postgres') {
  engine = engines.postgres;
  const seeded = await engine.prepare(dir, 'compare', shape);
  threads = seeded.threads;
  databaseUrls = [seeded.databaseUrl, seeded.databaseUrl];
} else {
  threads = seedSqlite(join(dir, 'a.db'), shape);
  copyFileSync(join(dir, 'a.db'), join(dir, 'b.db'));
  databaseUrls = [join(dir, 'a.db'), join(dir, 'b.db')];
}
const cpu = (server) => cpuSeconds(server.child.pid) + (engine?.cpuSeconds() ?? 0);
const servers = [];
for (const [i, build] of builds.entries()) {
  const env = { DATABASE_URL: databaseUrls[i], LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
  servers.push(await startServer({ args: [join(resolve(build), 'server.js')], env, port: await freePort(), core: 0 }));
}

const hidden = threads.at(-1);
const ids = threads
  .slice(0, -1)
  .filter((t) => t.count > 0)
  .flatMap((t) => t.messageIds.map((m) => [t.id, m]));
const empty = threads.filter((t) => t.count === 0).map((t) => t.id);
const pick = (i) => ids[(i * 7919) % ids.length];
const messagePath = (i) => `/v1/threads/${pick(i)[0]}/messages/${pick(i)[1]}`;
const updateBody = JSON.stringify({ metadata: { note: 'updated by the benchmark', tag: 'x' } });
const createBody = JSON.stringify({ role: 'user', content: 'hello there '.repeat(16), metadata: { source: 'bench' } });
const cases = {
  retrieve: (i) => ({ method: 'GET', path: messagePath(i) }),
  list20: (i) => ({ method: 'GET', path: `/v1/threads/${pick(i)[0]}/messages?limit=20` }),
  items20: (i) => ({ method: 'GET', path: `/v1/conversations/${pick(i)[0]}/items?limit=20` }),
  update: (i) => ({ method: 'POST', path: messagePath(i), body: updateBody }),
  create: () => ({ method: 'POST', path: `/v1/threads/${empty[0]}/messages`, body: createBody }),
  spread: (i) => ({ method: 'POST', path: `/v1/threads/${empty[i % empty.length]}/messages`, body: createBody }),
  hidden20: () => ({ method: 'GET', path: `/v1/threads/${hidden.id}/messages?limit=20` }),
};

try {
  for (const name of options.cases.split(',')) {
    const request = cases[name];
    if (!request) throw new Error(`unknown case ${name}; known: ${Object.keys(cases).join(', ')}`);
    const perRequest = [[], []];
    for (let round = 0; round < Number(options.rounds); round++) {
      for (const i of round % 2 ? [1, 0] : [0, 1]) {
        const server = servers[i];
        await load(server.url, request, 0.3);
        const before = cpu(server);
        const result = await load(server.url, request, Number(options.seconds));
        if (result.failures > 0) throw new Error(`${name}: ${result.failures} failed requests`);
        perRequest[i].push(((cpu(server) - before) * 1e6) / result.requests);
      }
    }
    const [a, b] = perRequest.map(median);
    const runs = perRequest.map((list) => list.map(Math.round).join(' '));
    console.log(
      `${name}: ${builds[0]} ${Math.round(a)} µs/req, ${builds[1]} ${Math.round(b)} µs/req (${(b / a).toFixed(2)}×); runs: ${runs[0]} | ${runs[1]}`,
    );
  }
} finally {
  for (const server of servers) await stopServer(server);
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
}
