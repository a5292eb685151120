// Starting, timing, measuring and stopping the servers under test, each pinned to a core when it can be.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** Pins this process (the load generator), every thread of it, to a core; false when it cannot. */
export function pinSelf(core) {
  if (!hasTaskset) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)]).status === 0;
}

function command(core, args) {
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
 * `startupMs` is from spawn to the first healthy answer: process start, imports, database open, listen.
 */
export async function startServer({ args, env, port, core }) {
  const [file, argv] = command(core, args);
  const started = performance.now();
  const child = spawn(file, argv, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { child, url, startupMs: performance.now() - started };
}

/** Resident memory of a process in MB, from /proc (undefined where there is no /proc). */
export function rssMb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
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
