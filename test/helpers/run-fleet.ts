// A fleet of runs across replica processes, one of them killed while the runs are created
// (test/runs/postgres/run-replicas.test.ts): what each run is asked, where it was created and cancelled.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { runProcessClient } from './run-process-client.js';
import type { ScriptedTurn } from './scripted-upstream.mjs';
import type { ServerProcess } from './server-process.js';

const ENDED = ['completed', 'failed', 'cancelled', 'expired', 'incomplete'];
const LONG = Array.from({ length: 20 }, (_, i) => `w${i} `);

/** Run i's user message names it, so each upstream request says which run asked; two in ten are long. */
export const fleetMessage = (i: number) => (i % 10 === 3 || i % 10 === 6 ? `run ${i} long` : `run ${i}`);

/** The answer to a fleet message, in fragments: a few words, or 20 for a long run (one to cancel). */
export const fleetAnswer = (message: string) => (message.endsWith(' long') ? LONG : ['Answer ', 'to ', `${message}.`]);

/** The scripted upstream's turn for a fleet message (60 ms a fragment, 100 ms for a long run: 2 s); else none. */
export function fleetTurn(content: unknown): ScriptedTurn | undefined {
  if (typeof content !== 'string' || !content.startsWith('run ')) return undefined;
  return { text: fleetAnswer(content), chunkDelayMs: content.endsWith(' long') ? 100 : 60 };
}

export interface FleetPlan {
  runs: number;
  /** Creates in flight at once. */
  concurrency: number;
  /** Creates answered before the first replica is killed. */
  killAfter: number;
}

export interface FleetRun {
  index: number;
  message: string;
  thread: string;
  run: string;
  /** The replica whose create made the run (the killed one when its answer was lost). */
  createdOn: number;
  /** A create the kill left unanswered: the thread's runs said whether it had been made. */
  lost?: 'made' | 'not made';
  /** When a run its lost create had not made was created again (`Date.now()`, before the call). */
  remadeAt?: number;
  cancel?: { via: number; applied: boolean };
  end?: any;
}

/**
 * Creates `plan.runs` runs round-robin across the replicas, `plan.concurrency` at a time, and SIGKILLs the
 * first replica once `plan.killAfter` creates have been answered: later calls aimed at it go to the next replica, a call it left
 * unanswered is accounted for. Long runs are cancelled, once in progress, through another replica than the
 * one that created them (while there is one). Then waits until every run has ended.
 */
export async function driveFleet(processes: ServerProcess[], assistant: string, plan: FleetPlan) {
  const apis = processes.map(runProcessClient);
  const victim = processes[0]!;
  let dead = false;
  let killing: Promise<unknown> = Promise.resolve();
  let killedAt = 0;
  const kill = () => {
    dead = true;
    killedAt = Date.now();
    victim.child.kill('SIGKILL');
    return victim.exited;
  };
  const live = (on: number) => (dead && on === 0 ? 1 : on);
  const survivor = (i: number) => apis[1 + (i % (apis.length - 1))]!;
  // A call the kill cut off fails in fetch itself; anything else, an HTTP error included, fails the test.
  const rethrowUnlessKilled = (on: number, error: unknown) => {
    if (!(on === 0 && dead && error instanceof TypeError)) throw error;
  };

  async function create(index: number): Promise<FleetRun> {
    const message = fleetMessage(index);
    let on = index % apis.length;
    let thread: string | undefined;
    while (thread === undefined) {
      on = live(on);
      try {
        thread = (await apis[on]!.ok('/threads', { messages: [{ role: 'user', content: message }] })).id as string;
      } catch (error) {
        rethrowUnlessKilled(on, error);
      }
    }
    on = live(on);
    try {
      const run = await apis[on]!.ok(`/threads/${thread}/runs`, { assistant_id: assistant });
      return { index, message, thread, run: run.id, createdOn: on };
    } catch (error) {
      rethrowUnlessKilled(on, error);
    }
    // Once the killed replica has exited, what it committed is all it will: the thread's runs tell.
    await killing;
    const [made] = (await survivor(index).get(`/threads/${thread}/runs`)).data;
    if (made) return { index, message, thread, run: made.id, createdOn: 0, lost: 'made' };
    const remadeAt = Date.now();
    const run = await apis[live(on)]!.ok(`/threads/${thread}/runs`, { assistant_id: assistant });
    return { index, message, thread, run: run.id, createdOn: live(on), lost: 'not made', remadeAt };
  }

  async function cancelAcross(run: FleetRun) {
    const seen = await survivor(run.index).waitFor(run.thread, run.run, ['in_progress', ...ENDED], 15_000);
    if (seen.status !== 'in_progress') return;
    let via = live((run.createdOn + 1) % apis.length);
    for (;;) {
      try {
        const answer = await apis[via]!.call('POST', `/threads/${run.thread}/runs/${run.run}/cancel`);
        // Too late is a 400 naming the status the run ended in meanwhile.
        if (answer.status === 200) expect(answer.body.status).toBe('cancelling');
        else expect(answer.body.error.message).toMatch(/^Cannot cancel run with status '(completed|failed)'\.$/);
        run.cancel = { via, applied: answer.status === 200 };
        return;
      } catch (error) {
        rethrowUnlessKilled(via, error);
        via = live(via);
      }
    }
  }

  const runs: FleetRun[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < plan.runs; index = next++) {
      const run = await create(index);
      runs.push(run);
      if (runs.length === plan.killAfter) killing = kill();
      if (run.message.endsWith(' long')) await cancelAcross(run);
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  await killing;

  const deadline = Date.now() + 60_000;
  for (let pending = runs; pending.length > 0; pending = pending.filter((run) => !run.end)) {
    if (Date.now() > deadline) throw new Error(`runs not ended: ${pending.map((run) => run.run).join(', ')}`);
    await sleep(100);
    await Promise.all(
      pending.map(async (run) => {
        const now = await survivor(run.index).get(`/threads/${run.thread}/runs/${run.run}`);
        if (!ENDED.includes(now.status)) return;
        run.end = now;
      }),
    );
  }
  return { runs, killedAt };
}
