import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The two helpers of a test under load that run in processes of their own, so that neither their CPU nor
 * the test's is on the event loop they measure: the scripted upstream and the /health probe.
 */

function nodeScript(name: string, args: string[], stdin: 'ignore' | 'pipe') {
  return spawn(process.execPath, [join(import.meta.dirname, name), ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: [stdin, 'pipe', 'inherit'],
  });
}

/** The lines a process prints, each awaited in turn; one rejects if the process exits before printing it. */
function linesOf(child: ReturnType<typeof nodeScript>, name: string): () => Promise<string> {
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  // 'close', not 'exit': by then every line it printed has been read.
  const exited = once(child, 'close').then(([code]) => Promise.reject(new Error(`${name} exited (${code})`)));
  exited.catch(() => undefined);
  return async () => {
    const next = await Promise.race([lines.next(), exited]);
    if (next.done) throw new Error(`${name} ended its output`);
    return next.value;
  };
}

export interface UpstreamProcess {
  /** The base URL, ending in `/v1`. A run's model `bench-<n>x<ms>` streams ` word0` … ` word<n-1>`, one per ms. */
  url: string;
  stop(): Promise<void>;
}

/** scripted-upstream-server.mjs in its own process. */
export async function startUpstreamProcess(): Promise<UpstreamProcess> {
  const child = nodeScript('scripted-upstream-server.mjs', [], 'ignore');
  const exited = once(child, 'exit');
  const url = (await linesOf(child, 'the scripted upstream')()).trim();
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface ProbeResult {
  /** Each ping: when it was sent (ms after the first) and how long its answer took (ms). */
  pings: [sentAtMs: number, tookMs: number][];
  /** A ping that failed ends the probe: what went wrong. */
  failure: string | null;
}

/** health-probe.mjs in its own process, GETting `url` every `everyMs` until stopped; resolves once it pings. */
export async function startHealthProbe(url: string, everyMs: number): Promise<{ stop(): Promise<ProbeResult> }> {
  const child = nodeScript('health-probe.mjs', [url, String(everyMs)], 'pipe');
  const line = linesOf(child, 'the health probe');
  const ready = await line();
  if (ready !== 'ready') throw new Error(`the health probe said ${ready}`);
  return {
    stop: async () => {
      child.stdin!.end();
      return JSON.parse(await line()) as ProbeResult;
    },
  };
}

export interface Distribution {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** When the longest ping was sent, ms after the first. */
  maxAtMs: number;
}

/** Nearest-rank percentiles of the pings' times. */
export function distributionOf(pings: ProbeResult['pings']): Distribution {
  const sorted = pings.map(([, took]) => took).sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  const longest = pings.reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0]);
  return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: longest[1], maxAtMs: longest[0] };
}
