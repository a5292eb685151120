// Starting, timing, measuring and stopping the servers under test, each pinned to a core when it can be.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
export const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** Pins this process (the load generator), every thread of it, to a core; false when it cannot. */
export function pinSelf(core) {
  if (!hasTaskset) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)]).status === 0;
}

/** `node <args>` as spawn's file and arguments, pinned to `core` when taskset is there. */
export function command(core, args) {
  return hasTaskset ? ['taskset', ['-c', String(core), process.execPath, ...args]] : [process.execPath, args];
}

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`server at ${url} did not answer /health within ${timeoutMs} ms`);
}

/**
 * Starts `node <args>` on `core` with `env` and waits until GET /health answers.
 * `startupMs` is from spawn to the first healthy answer: process start, imports, database open, listen;
 * `startupCpuMs` the CPU time the server used for that.
 */
export async function startServer({ args, env, port, core }) {
  const [file, argv] = command(core, args);
  const started = performance.now();
  const child = spawn(file, argv, {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { child, url, startupMs: performance.now() - started, startupCpuMs: cpuSeconds(child.pid) * 1000 };
}

/** Resident memory of a process in MB, from /proc (undefined where there is no /proc). */
export const rssMb = (pid) => statusMb(pid, 'VmRSS');

/** The most resident memory the process has had since it started, in MB (VmHWM, its high-water mark). */
export const peakRssMb = (pid) => statusMb(pid, 'VmHWM');

function statusMb(pid, field) {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time a process has used so far, all threads, user and system, in seconds (from /proc; undefined
 * without it). On a shared machine this is steadier than wall-clock time: other load stretches a run
 * but hardly changes the work each request costs.
 */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export async function stopServer({ child }) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await once(child, 'exit');
  clearTimeout(timer);
}
