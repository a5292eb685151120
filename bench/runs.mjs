// Streamed runs against the scripted upstream (issues 21 and 22), each figure beside the same upstream called
// directly in the same run: what threadstore adds to the time to first token, whether it keeps up with the
// chunks, and how it holds 200 concurrent streamed runs (throughput, p99 time to first token, peak RSS, the
// longest /health ping meanwhile).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { freePort } from '../test/helpers/postgres-processes.mjs';
import { call } from './api-client.mjs';
import { command, cpuSeconds, peakRssMb, rssMb, startServer, stopServer } from './processes.mjs';
import { markdownTable, median, percentile } from './report.mjs';
import { isChatText, isRunText, pingUntil, timeStream } from './stream-client.mjs';

/** Issue 21's targets for one streamed run: added time to first token, and chunks per second kept. */
const ADDED_TTFT_MS = 2;
const CHUNK_RATE = 0.9;
const CONCURRENT = 200;
const HEALTH_EVERY_MS = 10;
const WARM_UPS = 5;

/**
 * `quick`: a few short runs, for CI. One stream: runs one after the other, each beside a direct call; a
 * fragment every 2 ms is faster than any model streams, so keeping up with it is the test. Concurrent: 200
 * runs at once, a fragment every 20 ms each (10,000 chunks/s in all).
 */
const plan = (quick) => ({
  single: quick ? { count: 15, fragments: 50, delayMs: 2 } : { count: 30, fragments: 200, delayMs: 2 },
  concurrent: { count: CONCURRENT, fragments: quick ? 20 : 100, delayMs: 20 },
});

const modelOf = ({ fragments, delayMs }) => `bench-${fragments}x${delayMs}`;

async function startUpstream(core) {
  const [file, args] = command(core, ['test/helpers/scripted-upstream-server.mjs']);
  const child = spawn(file, args, { cwd: new URL('..', import.meta.url), stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await Promise.race([
    once(createInterface({ input: child.stdout }), 'line'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`scripted upstream exited with code ${code}`))),
  ]);
  return { child, url: line.trim() };
}

/** Every call of `task(i)` for i < count at once; their results and the wall time from the first to the last. */
async function allAtOnce(count, task) {
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: count }, (_, i) => task(i)));
  return { results, wallMs: performance.now() - started };
}

/**
 * Runs the cases on a fresh database of `engine` in `dir`, against `server` (dist/server.js on core 0) and the
 * scripted upstream in its own process on core 1 with this one. Resolves to the text to print: a Markdown
 * table and one line per target.
 */
export async function benchRuns({ engine, dir, quick, rounds, logLevel, step }) {
  const { single, concurrent } = plan(quick);
  const upstream = await startUpstream(1);
  let server;
  try {
    // A thread of one message per run: each run's prompt is what the direct call sends (one user message), not
    // a history grown by the runs before it.
    const threadCount = WARM_UPS + single.count + concurrent.count;
    const { databaseUrl, threads } = await engine.prepare(dir, 'runs', Array(threadCount).fill(1));
    server = await startServer({
      args: ['dist/server.js'],
      env: {
        DATABASE_URL: databaseUrl,
        UPSTREAM_BASE_URL: upstream.url,
        LOG_LEVEL: logLevel,
        HOST: '127.0.0.1',
        // The benchmark's runs are one tenant's, all at once: above the run limits, which it does not measure.
        RUNS_PER_TENANT: String(CONCURRENT * 2),
        RUNS_PER_REPLICA: String(CONCURRENT * 2),
      },
      port: await freePort(),
      core: 0,
    });
    const assistant = await call(server.url, 'POST', '/v1/assistants', JSON.stringify({ model: 'bench-1x0' }));
    const chatUrl = `${upstream.url}/chat/completions`;
    const direct = (shape) =>
      timeStream(
        chatUrl,
        {
          model: modelOf(shape),
          messages: [{ role: 'user', content: 'Hello' }],
          stream: true,
          stream_options: { include_usage: true },
        },
        isChatText,
      );
    const run = async (shape, thread) => {
      const body = { assistant_id: assistant.id, model: modelOf(shape), stream: true };
      const timed = await timeStream(`${server.url}/v1/threads/${thread.id}/runs`, body, isRunText);
      if (!timed.frames.includes('event: thread.run.completed') || timed.chunks !== shape.fragments)
        throw new Error(`a streamed run did not complete with ${shape.fragments} deltas: ${timed.frames.join(', ')}`);
      return timed;
    };

    const fresh = threads[Symbol.iterator]();
    const nextThread = () => fresh.next().value;
    const warm = { ...single, fragments: 10 };
    for (let i = 0; i < WARM_UPS; i++) await Promise.all([direct(warm), run(warm, nextThread())]);

    // CPU per run of threadstore, and of the upstream process (which writes the same chunks in both cases).
    const ones = { direct: [], own: [] };
    const cpu = () => [cpuSeconds(server.child.pid), cpuSeconds(upstream.child.pid)];
    const cpuBefore = cpu();
    // In turn, each side first: neither always starts while the other's last stream is being torn down.
    for (let i = 0; i < single.count; i++) {
      if (i % 2 === 0) ones.direct.push(await direct(single));
      ones.own.push(await run(single, nextThread()));
      if (i % 2 === 1) ones.direct.push(await direct(single));
    }
    const [serverCpu, upstreamCpu] = cpu().map((after, i) => ((after - cpuBefore[i]) * 1000) / single.count);
    ones.cpuMsPerRun = { server: serverCpu, upstream: upstreamCpu / 2 };
    step(`runs: ${single.count} streamed runs one at a time, each beside the upstream called directly`);

    const batch = Array.from({ length: concurrent.count }, nextThread);
    const rounds200 = [];
    for (let round = 0; round < rounds; round++) {
      const alone = await allAtOnce(concurrent.count, () => direct(concurrent));
      const rssBefore = rssMb(server.child.pid);
      const cpuBefore = cpuSeconds(server.child.pid);
      const health = pingUntil(`${server.url}/health`, HEALTH_EVERY_MS);
      const own = await allAtOnce(concurrent.count, (i) => run(concurrent, batch[i]));
      const pings = await health.stop();
      const chunks = concurrent.count * concurrent.fragments;
      rounds200.push({
        alone,
        own,
        chunks,
        rssBefore,
        cpuUsPerChunk: ((cpuSeconds(server.child.pid) - cpuBefore) * 1e6) / chunks,
        longestPingMs: pings.longestMs,
        longestPingAtMs: pings.longestAtMs,
        pings: pings.count,
      });
      step(`runs: ${concurrent.count} concurrent streamed runs in ${(own.wallMs / 1000).toFixed(2)} s`);
    }
    return report({ single, concurrent, ones, rounds200, peakRss: peakRssMb(server.child.pid) });
  } finally {
    if (server) await stopServer(server);
    await stopServer(upstream);
  }
}

const ms = (value) => `${value.toFixed(1)} ms`;
const verdict = (met) => (met ? 'met' : 'MISSED');

function report({ single, concurrent, ones, rounds200, peakRss }) {
  const ttft = { own: median(ones.own.map((r) => r.ttftMs)), direct: median(ones.direct.map((r) => r.ttftMs)) };
  const rate = {
    own: median(ones.own.map((r) => r.chunksPerSecond)),
    direct: median(ones.direct.map((r) => r.chunksPerSecond)),
  };
  const added = ttft.own - ttft.direct;
  const kept = rate.own / rate.direct;
  const each = (pick) => median(rounds200.map(pick));
  const p = (side, q) =>
    each((r) =>
      percentile(
        r[side].results.map((x) => x.ttftMs),
        q,
      ),
    );
  const perSecond = (side, count) => each((r) => count(r) / (r[side].wallMs / 1000));
  const c = {
    runs: [perSecond('own', () => concurrent.count), perSecond('alone', () => concurrent.count)],
    chunks: [perSecond('own', (r) => r.chunks), perSecond('alone', (r) => r.chunks)],
    p50: [p('own', 50), p('alone', 50)],
    p99: [p('own', 99), p('alone', 99)],
  };
  const oneShape = `${single.fragments} fragments, one every ${single.delayMs} ms`;
  const manyShape = `${concurrent.count} at once, ${concurrent.fragments} fragments each, one every ${concurrent.delayMs} ms`;
  const rows = [
    [
      `one run (${oneShape}): time to first token, median`,
      ms(ttft.own),
      ms(ttft.direct),
      `+${ms(added)}`,
      `≤ +${ADDED_TTFT_MS} ms: ${verdict(added <= ADDED_TTFT_MS)}`,
    ],
    [
      `one run: chunks/s, median`,
      rate.own.toFixed(0),
      rate.direct.toFixed(0),
      `${kept.toFixed(2)}×`,
      `≥ ${CHUNK_RATE}×: ${verdict(kept >= CHUNK_RATE)}`,
    ],
    [
      'one run: CPU per run, of the server / of the upstream process',
      `${ones.cpuMsPerRun.server.toFixed(1)} ms`,
      `${ones.cpuMsPerRun.upstream.toFixed(1)} ms`,
      '',
      '',
    ],
    [`${manyShape}: runs/s`, c.runs[0].toFixed(1), c.runs[1].toFixed(1), `${(c.runs[0] / c.runs[1]).toFixed(2)}×`, ''],
    [
      `${concurrent.count} at once: chunks/s, all streams`,
      c.chunks[0].toFixed(0),
      c.chunks[1].toFixed(0),
      `${(c.chunks[0] / c.chunks[1]).toFixed(2)}×`,
      '',
    ],
    [
      `${concurrent.count} at once: time to first token, p50`,
      ms(c.p50[0]),
      ms(c.p50[1]),
      `+${ms(c.p50[0] - c.p50[1])}`,
      '',
    ],
    [
      `${concurrent.count} at once: time to first token, p99`,
      ms(c.p99[0]),
      ms(c.p99[1]),
      `+${ms(c.p99[0] - c.p99[1])}`,
      '',
    ],
    [`${concurrent.count} at once: server CPU per chunk`, `${each((r) => r.cpuUsPerChunk).toFixed(0)} µs`, '', '', ''],
    [
      `${concurrent.count} at once: longest /health ping (one every ${HEALTH_EVERY_MS} ms), sent at`,
      `${ms(each((r) => r.longestPingMs))}, ${ms(each((r) => r.longestPingAtMs))} into the batch`,
      '',
      '',
      '',
    ],
    [
      'server peak RSS (VmHWM) / RSS before the concurrent runs',
      `${peakRss?.toFixed(0) ?? '–'} MB / ${each((r) => r.rssBefore)?.toFixed(0) ?? '–'} MB`,
      '',
      '',
      '',
    ],
  ];
  const table = markdownTable(
    ['streamed runs', 'threadstore', 'upstream alone', 'threadstore ÷ or − upstream', 'target'],
    rows,
  );
  const rounds = rounds200.length;
  return `${table}\n\none run: medians of ${single.count} runs; ${concurrent.count} at once: median of ${rounds} round${rounds === 1 ? '' : 's'}`;
}
