// The run queue on both engines: who may claim a run's lease, what renews and releases it, which runs a
// sweep finds stranded. SQLite serves a file from one process, so any other holder is one that ended.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { RESERVATION_MS } from '../../src/store/engine/run-row.js';
import type { RunRef } from '../../src/store/run-types.js';
import { newRun } from '../../src/views/run-view.js';
import { buildTestApp, type TestApp, testEngine } from '../helpers/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => t.close());

/** The one tenant of a server without API keys. */
const TENANT = '';
const LEASE_MS = 10_000;

/** A new run, created as the server creates one: held by the process that is to execute it, here `p1`. */
async function createdRun(): Promise<RunRef> {
  const thread = (await t.app.inject({ method: 'POST', url: '/v1/threads', payload: {} })).json();
  const assistant = {
    id: 'asst_x',
    model: 'gpt-4o',
    instructions: null,
    tools: [],
    response_format: 'auto' as const,
    temperature: 1,
    top_p: 1,
  };
  const run = newRun({ assistant_id: 'asst_x' }, assistant, thread.id, Math.floor(Date.now() / 1000), 600);
  await t.app.store.runs.create(TENANT, thread.id, run, [], { owner: 'p1', until: Date.now() + LEASE_MS });
  return { tenant: TENANT, threadId: thread.id, runId: run.id };
}

const queue = () => t.app.store.runs.queue;
const strandedIds = async (owner: string, now: number) =>
  (await queue().stranded(owner, now, 100)).map((run) => run.runId);

test('a new run is held by its creator from the start: renewed by it, a sweep elsewhere finds it once it lapses', async () => {
  const ref = await createdRun();
  expect(await strandedIds('p1', Date.now())).not.toContain(ref.runId);
  expect(await queue().renew('p1', Date.now() + LEASE_MS)).toEqual([{ runId: ref.runId, status: 'in_progress' }]);
  expect(await queue().claim(ref, 'p1', Date.now() + LEASE_MS)).toEqual({ from: null });
  // SQLite: a file is served by one process, so a holder other than the sweeper is one that ended.
  const lapsed = testEngine === 'postgres' ? Date.now() + LEASE_MS + 1_000 : Date.now();
  if (testEngine === 'postgres') expect(await strandedIds('p2', Date.now())).not.toContain(ref.runId);
  expect(await strandedIds('p2', lapsed)).toContain(ref.runId);
});

test('a live lease is renewed by its holder and kept from others (PostgreSQL); SQLite takes it', async () => {
  const ref = await createdRun();
  await queue().claim(ref, 'p1', Date.now() + LEASE_MS);
  expect(await queue().renew('p1', Date.now() + LEASE_MS)).toEqual([{ runId: ref.runId, status: 'in_progress' }]);
  expect(await queue().renew('p2', Date.now() + LEASE_MS)).toEqual([]);
  if (testEngine === 'postgres') {
    expect(await queue().claim(ref, 'p2', Date.now() + LEASE_MS)).toBeUndefined();
    expect(await strandedIds('p2', Date.now())).not.toContain(ref.runId);
  } else {
    expect(await strandedIds('p2', Date.now())).toContain(ref.runId);
    expect(await queue().claim(ref, 'p2', Date.now() + LEASE_MS)).toEqual({ from: 'p1' });
  }
});

test('a lease not renewed in time is stranded and taken over, naming its holder', async () => {
  const ref = await createdRun();
  await queue().claim(ref, 'p1', Date.now() - 1);
  expect(await strandedIds('p2', Date.now())).toContain(ref.runId);
  expect(await queue().claim(ref, 'p2', Date.now() + LEASE_MS)).toEqual({ from: 'p1' });
  expect(await queue().renew('p1', Date.now() + LEASE_MS)).toEqual([]);
});

test('released, a queued run is reserved again; a finished run cannot be claimed', async () => {
  const ref = await createdRun();
  // Back in the queue, as a run given its tool outputs is.
  await t.app.store.runs.update(ref.tenant, ref.threadId, ref.runId, { set: { status: 'queued' } });
  await queue().claim(ref, 'p1', Date.now() + LEASE_MS);
  await queue().release(ref, 'p1', Date.now() + RESERVATION_MS);
  expect(await queue().renew('p1', Date.now() + LEASE_MS)).toEqual([]);
  expect(await strandedIds('p2', Date.now())).not.toContain(ref.runId);
  await t.app.store.runs.update(ref.tenant, ref.threadId, ref.runId, { set: { status: 'cancelled' } });
  expect(await queue().claim(ref, 'p1', Date.now() + LEASE_MS)).toBeUndefined();
  expect(await queue().activeOf(TENANT)).toBe(0);
});

test("activeOf counts the tenant's unfinished runs only", async () => {
  await createdRun();
  await createdRun();
  expect(await queue().activeOf(TENANT)).toBe(2);
  expect(await queue().activeOf('someone-else')).toBe(0);
});
