import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { ServerProcess } from './server-process.js';

/** Calls to a real server process's API (no key), and a wait for one of a run's statuses, bounded in time. */
export function runProcessClient(server: ServerProcess) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.baseURL}/v1${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const ok = async (path: string, body: unknown = {}) => {
    const res = await call('POST', path, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const get = async (path: string) => (await call('GET', path)).body;
  const waitFor = async (thread: string, run: string, statuses: string[], withinMs: number) => {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const now = await get(`/threads/${thread}/runs/${run}`);
      if (statuses.includes(now.status)) return now;
      if (Date.now() > deadline) throw new Error(`run ${run} is ${now.status} after ${withinMs} ms`);
      await sleep(50);
    }
  };
  return { call, ok, get, waitFor };
}
