// Runs across replicas on one PostgreSQL database: each run executed by exactly one replica (its lease),
// a killed replica's runs taken over and ended by the others, a cancel on one replica stopping a run
// executing on another (docs/runs.md#restarts-crashes-and-replicas). Separate processes, as in test/store/postgres/replicas.test.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { type LeaseChange, recordLeaseChanges } from '../../helpers/lease-log.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { driveFleet, type FleetRun, fleetAnswer, fleetMessage, fleetTurn } from '../../helpers/run-fleet.js';
import { runProcessClient } from '../../helpers/run-process-client.js';
import { weatherTool } from '../../helpers/runs.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../../helpers/scripted-upstream.mjs';
import { buildServer, type BuiltServer, type ServerProcess, startServerProcess } from '../../helpers/server-process.js';

const LEASE_SECONDS = 2;
const WORDS = Array.from({ length: 20 }, (_, i) => `w${i} `);
const SERVER_RESTARTED = { code: 'server_error', message: 'The server restarted during the run.' };

/** 100 runs, ten creates at a time, the first replica killed once 40 have been answered. */
const FLEET = { runs: 100, concurrency: 10, killAfter: 40 };

let build: BuiltServer;
let upstream: ScriptedUpstream;
const servers: ServerProcess[] = [];
const databases: TestDatabase[] = [];

beforeAll(async () => {
  build = await buildServer();
  // Asked about the weather, the model calls get_weather; given its output, it says so; a fleet run gets its
  // answer (run-fleet.ts); else it counts slowly.
  upstream = await startScriptedUpstream((request) => {
    const last = request.body.messages.at(-1)!;
    if (last.role === 'tool') return { text: [`Weather: ${last.content}`] };
    if (last.content === 'weather?') return { toolCalls: [{ name: 'get_weather', arguments: ['{"city":"Paris"}'] }] };
    const fleet = fleetTurn(last.content);
    if (fleet) return fleet;
    return { text: WORDS, chunkDelayMs: 150 };
  });
}, 120_000);
afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
  for (const database of databases.splice(0)) await database.drop();
});
afterAll(async () => {
  await upstream?.close();
  build?.remove();
});

async function replicas(count: number) {
  const database = await createTestDatabase(inject('postgresAdminUrl'));
  databases.push(database);
  const start = () =>
    startServerProcess(build.entry, {
      DATABASE_URL: database.url,
      UPSTREAM_BASE_URL: upstream.url,
      RUN_LEASE_SECONDS: String(LEASE_SECONDS),
      RUNS_PER_TENANT: String(FLEET.runs),
      METRICS_PUBLIC: 'true',
    });
  const started = await Promise.all(Array.from({ length: count }, start));
  servers.push(...started);
  return { database, servers: started };
}

function client(server: ServerProcess) {
  const metric = async (name: string) => {
    const text = await (await fetch(`${server.baseURL}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
  };
  return { ...runProcessClient(server), metric };
}

type Client = ReturnType<typeof client>;

/** The runs' lease changes read for the killed replica: the runs it held when killed, the runs taken from whom. */
function leasesOfKilled(changes: LeaseChange[], runs: FleetRun[]) {
  const killedOwnRun = new Set(runs.filter((run) => run.createdOn === 0 && !run.lost).map((run) => run.run));
  const killed = changes.find((change) => change.from === null && killedOwnRun.has(change.runId))?.to;
  const lastOfKilled = new Map<string, string | null>();
  for (const change of changes) {
    if (change.to === killed || (change.from === killed && change.to === null))
      lastOfKilled.set(change.runId, change.to);
  }
  const held = [...lastOfKilled].filter(([, to]) => to === killed).map(([runId]) => runId);
  const takeovers = changes.filter((change) => change.from !== null && change.to !== null);
  return { killed, held: new Set(held), takeovers };
}

/** What is wrong with a run as it ended, its thread's messages and its steps; nothing when all is right. */
async function wrongsOf(run: FleetRun, api: Client, asked: number, takenOver: boolean): Promise<string[]> {
  const { status, last_error } = run.end;
  const messages = (await api.get(`/threads/${run.thread}/messages?order=asc`)).data;
  const answers = messages.filter((message: any) => message.role === 'assistant');
  const steps = (await api.get(`/threads/${run.thread}/runs/${run.run}/steps`)).data;
  const wrongs: string[] = [];
  const wrong = (what: string) => wrongs.push(`${run.message} (${status}): ${what}`);
  if (steps.some((step: any) => step.status === 'in_progress')) wrong('a step still in progress');
  if (answers.length > 1) wrong(`${answers.length} assistant messages`);
  if (status === 'completed') {
    if (asked !== 1) wrong(`asked ${asked} times`);
    if (answers[0]?.status !== 'completed') wrong('no completed answer');
    if (answers[0]?.content[0].text.value !== fleetAnswer(run.message).join('')) wrong('not the whole answer');
  } else if (status === 'cancelled') {
    // Cancelled once in progress: asked once, or not yet by a replica killed before its request went out.
    if (asked !== 1 && !(asked === 0 && takenOver)) wrong(`asked ${asked} times`);
    if (!run.cancel?.applied) wrong('cancelled with no cancel applied');
    for (const answer of answers) {
      if (answer.incomplete_details?.reason !== 'run_cancelled') wrong('an answer not ended run_cancelled');
    }
  } else if (status === 'failed') {
    // Taken over in progress from the killed replica: failed, the model not asked again. Its answer keeps what
    // was stored: cut off (run_failed), or whole when the kill came between the answer's end and the run's.
    if (asked > 1) wrong(`asked ${asked} times`);
    if (!takenOver) wrong('failed, not taken over from the killed replica');
    if (JSON.stringify(last_error) !== JSON.stringify(SERVER_RESTARTED)) wrong(JSON.stringify(last_error));
    for (const answer of answers) {
      const whole = answer.status === 'completed' && answer.content[0].text.value === fleetAnswer(run.message).join('');
      if (answer.incomplete_details?.reason !== 'run_failed' && !whole) wrong(`an answer ${answer.status}`);
    }
  } else wrong('an unexpected end');
  if (run.cancel?.applied && status !== 'cancelled') wrong('a cancel applied, not honoured');
  return wrongs;
}

test.each([2, 3])(
  '%i replicas, 100 runs created across them while one is killed: every run ends, each turn asked once, cancels honoured',
  async (count) => {
    const startedAt = Date.now();
    const { database, servers: processes } = await replicas(count);
    const leases = await recordLeaseChanges(database.url);
    const before = upstream.requests.length;
    const assistant = await client(processes[1]!).ok('/assistants', { model: 'gpt-4o' });
    const { runs, killedAt } = await driveFleet(processes, assistant.id, FLEET);
    const survivors = processes.slice(1).map(client);

    const asks = new Map<string, number[]>();
    for (const request of upstream.requests.slice(before)) {
      const [user] = request.body.messages.filter((message) => message.role === 'user');
      asks.set(String(user!.content), [...(asks.get(String(user!.content)) ?? []), request.at]);
    }
    // A create the kill cut off before it committed may have sent its run's first request already (docs/runs.md,
    // "The first request goes out while the create is written"): that request belongs to no run. A run made
    // again after such a create counts the requests from its own create on; one may come before, no more.
    const orphans = runs.flatMap((run) => {
      const early = (asks.get(run.message) ?? []).filter((at) => at < (run.remadeAt ?? 0));
      return early.length > 1 ? [`${run.message}: asked ${early.length} times before it was made again`] : [];
    });
    expect(orphans).toEqual([]);
    const asked = (run: FleetRun) => (asks.get(run.message) ?? []).filter((at) => at >= (run.remadeAt ?? 0)).length;
    const changes = await leases.read();
    const { killed, held, takeovers } = leasesOfKilled(changes, runs);
    const takenOver = new Set(takeovers.map((change) => change.runId));
    const wrongs = (
      await Promise.all(
        runs.map((run, i) => wrongsOf(run, survivors[i % survivors.length]!, asked(run), takenOver.has(run.run))),
      )
    ).flat();
    expect(wrongs).toEqual([]);
    expect(runs.map((run) => run.message).sort()).toEqual(
      Array.from({ length: FLEET.runs }, (_, i) => fleetMessage(i)).sort(),
    );
    expect([...asks.keys()].filter((message) => !runs.some((run) => run.message === message))).toEqual([]);

    // Leases: only the killed replica's runs were taken over, each once, each one it held; the metric says so.
    expect(killed).toBeDefined();
    expect(takeovers.length).toBeGreaterThan(0);
    expect(takeovers.filter((change) => change.from !== killed)).toEqual([]);
    expect(takenOver.size).toBe(takeovers.length);
    expect([...takenOver].filter((runId) => !held.has(runId))).toEqual([]);
    // The rest of what it held it had ended itself, killed before it let go of the lease.
    const endedAt = (run: FleetRun) => run.end.completed_at ?? run.end.cancelled_at ?? run.end.failed_at;
    const endedByKilled = runs.filter((run) => held.has(run.run) && !takenOver.has(run.run));
    expect(endedByKilled.filter((run) => endedAt(run) > Math.floor(killedAt / 1000))).toEqual([]);
    const metric = (
      await Promise.all(survivors.map((api) => api.metric('threadstore_run_leases_taken_over_total')))
    ).reduce((sum, n) => sum + n, 0);
    expect(metric).toBe(takeovers.length);

    const cancels = runs.filter((run) => run.cancel?.applied);
    expect(cancels.filter((run) => run.cancel!.via !== run.createdOn).length).toBeGreaterThan(0);
    const by = (status: string) => runs.filter((run) => run.end.status === status).length;
    const afterKill = (changes: LeaseChange[]) => changes.map((change) => Math.round(change.at - killedAt));
    const span = (ms: number[]) => `${Math.min(...ms)}–${Math.max(...ms)} ms`;
    const released = changes.filter((change) => change.to === null && change.from !== killed);
    const takenOverEnds = released.filter((change) => takenOver.has(change.runId));
    console.info(
      `${count} replicas: ${by('completed')} completed, ${by('failed')} failed, ${by('cancelled')} cancelled ` +
        `(${cancels.filter((run) => run.cancel!.via !== run.createdOn).length} of ${cancels.length} cancels across replicas); ` +
        `the killed replica held ${held.size} runs: ${takeovers.length} taken over ${span(afterKill(takeovers))} ` +
        `after the kill and ended ${span(afterKill(takenOverEnds))} after it, ${endedByKilled.length} it had ended; ` +
        `creates it left unanswered: ${runs.filter((run) => run.lost === 'made').length} made, ` +
        `${runs.filter((run) => run.lost === 'not made').length} not; the last run ended ` +
        `${Math.max(...afterKill(released))} ms after the kill; test ${Date.now() - startedAt} ms`,
    );
  },
  180_000,
);

test('a cancel on one replica stops the run executing on the other at its next heartbeat', async () => {
  const [a, b] = (await replicas(2)).servers;
  const [viaA, viaB] = [client(a!), client(b!)];
  const assistant = await viaB.ok('/assistants', { model: 'gpt-4o' });
  const thread = await viaB.ok('/threads', { messages: [{ role: 'user', content: 'count' }] });
  const run = await viaB.ok(`/threads/${thread.id}/runs`, { assistant_id: assistant.id });
  await viaB.waitFor(thread.id, run.id, ['in_progress'], 5_000);
  await sleep(300);
  const cancelledAt = Date.now();
  expect((await viaA.ok(`/threads/${thread.id}/runs/${run.id}/cancel`)).status).toBe('cancelling');
  await viaA.waitFor(thread.id, run.id, ['cancelled'], 2_000);
  // Well before the 3 s answer would have ended: B stopped asking the upstream.
  expect(Date.now() - cancelledAt).toBeLessThan(2_000);
  // Past the time the whole answer would take: B wrote nothing more (it stopped, rather than finishing the answer).
  await sleep(WORDS.length * 150);
  const [, message] = (await viaA.get(`/threads/${thread.id}/messages?order=asc`)).data;
  expect(message).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'run_cancelled' } });
  expect(WORDS.join('').length).toBeGreaterThan(message.content[0]?.text.value.length ?? 0);
  const [step] = (await viaA.get(`/threads/${thread.id}/runs/${run.id}/steps`)).data;
  expect(step.status).toBe('cancelled');
}, 60_000);

test('tool outputs submitted on one replica for a run the other left waiting: the next turn runs, once', async () => {
  const [a, b] = (await replicas(2)).servers;
  const [viaA, viaB] = [client(a!), client(b!)];
  const asked = upstream.requests.length;
  const assistant = await viaB.ok('/assistants', { model: 'gpt-4o', tools: [weatherTool] });
  const thread = await viaB.ok('/threads', { messages: [{ role: 'user', content: 'weather?' }] });
  const run = await viaB.ok(`/threads/${thread.id}/runs`, { assistant_id: assistant.id });
  const waiting = await viaB.waitFor(thread.id, run.id, ['requires_action'], 5_000);
  const callId = waiting.required_action.submit_tool_outputs.tool_calls[0].id;
  await viaA.ok(`/threads/${thread.id}/runs/${run.id}/submit_tool_outputs`, {
    tool_outputs: [{ tool_call_id: callId, output: 'sunny' }],
  });
  expect((await viaB.waitFor(thread.id, run.id, ['completed', 'failed'], 5_000)).status).toBe('completed');
  const [, answer] = (await viaB.get(`/threads/${thread.id}/messages?order=asc`)).data;
  expect(answer.content[0].text.value).toBe('Weather: sunny');
  expect(upstream.requests.length - asked).toBe(2);
}, 60_000);
