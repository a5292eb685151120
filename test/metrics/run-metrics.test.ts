import { afterEach, expect, test, vi } from 'vitest';
import { METRICS_COUNT_TTL_MS } from '../../src/metrics/plugin.js';
import { parseEvents, type RunsApp, startRunsApp, weatherTool } from '../helpers/runs.js';

// The run and upstream metrics of /metrics, read from a real listening server whose runs execute on the
// scripted upstream; the streamed run goes over the socket as a client's would.

let t: RunsApp | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await t?.close();
  t = undefined;
});

async function start(script: Parameters<typeof startRunsApp>[0]) {
  t = await startRunsApp(script);
  const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o' });
  const thread = await t.ok('/v1/threads', { messages: [{ role: 'user', content: 'Hello?' }] });
  return { app: t, base, asst, thread };
}

/** The Prometheus text over HTTP, as a scraper reads it. */
async function scrape(base: string) {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one sample line, e.g. `threadstore_runs{status="queued"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const statusSeries = (status: string) => `threadstore_run_status_changes_total{status="${status}"}`;

test('counts the statuses runs enter, upstream latency, failures by last_error code and retries', async () => {
  const { app, base, asst, thread } = await start([
    { text: ['Hel', 'lo'], chunkDelayMs: 20 },
    { status: 503 },
    { text: ['Again'] },
    { status: 400, body: { error: { message: 'Unknown model' } } },
    { status: 429, headers: { 'retry-after': '60' } },
  ]);
  const before = await scrape(base);
  for (const status of ['queued', 'in_progress', 'completed', 'failed', 'expired', 'cancelled']) {
    expect(sample(before, statusSeries(status))).toBe(0);
  }
  expect(sample(before, 'threadstore_upstream_errors_total{code="server_error"}')).toBe(0);
  expect(sample(before, 'threadstore_upstream_first_chunk_seconds_count')).toBe(0);

  const streamed = await fetch(`${base}/v1/threads/${thread.id}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ assistant_id: asst.id, stream: true }),
  });
  const events = parseEvents(await streamed.text());
  expect(events.at(-2)?.event).toBe('thread.run.completed');
  const outcomes = [];
  for (let i = 0; i < 3; i++) {
    const run = await app.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    outcomes.push(await app.waitFor(thread.id, run.id, ['completed', 'failed']));
  }
  expect(outcomes.map((run) => [run.status, run.last_error?.code])).toEqual([
    ['completed', undefined],
    ['failed', 'invalid_prompt'],
    ['failed', 'rate_limit_exceeded'],
  ]);

  const text = await scrape(base);
  expect(sample(text, statusSeries('queued'))).toBe(4);
  expect(sample(text, statusSeries('in_progress'))).toBe(4);
  expect(sample(text, statusSeries('completed'))).toBe(2);
  expect(sample(text, statusSeries('failed'))).toBe(2);
  expect(sample(text, statusSeries('requires_action'))).toBe(0);
  expect(sample(text, 'threadstore_upstream_errors_total{code="invalid_prompt"}')).toBe(1);
  expect(sample(text, 'threadstore_upstream_errors_total{code="rate_limit_exceeded"}')).toBe(1);
  expect(sample(text, 'threadstore_upstream_errors_total{code="server_error"}')).toBe(0);
  expect(sample(text, 'threadstore_upstream_retries_total{code="server_error"}')).toBe(1);
  expect(sample(text, 'threadstore_upstream_retries_total{code="rate_limit_exceeded"}')).toBe(0);
  // Two turns reached a first chunk and ended with [DONE]; the retried one waited its backoff (≥ 250 ms) first.
  expect(sample(text, 'threadstore_upstream_first_chunk_seconds_count')).toBe(2);
  expect(sample(text, 'threadstore_upstream_turn_seconds_count')).toBe(2);
  expect(sample(text, 'threadstore_upstream_first_chunk_seconds_bucket{le="0.25"}')).toBeLessThanOrEqual(1);
  expect(sample(text, 'threadstore_upstream_first_chunk_seconds_sum')).toBeGreaterThan(0.25 + 0.02);
  // The streamed turn sent 3 more chunks 20 ms apart after its first: each turn is timed to its end.
  expect(sample(text, 'threadstore_upstream_turn_seconds_sum')).toBeGreaterThan(
    sample(text, 'threadstore_upstream_first_chunk_seconds_sum')! + 0.03,
  );
  expect(sample(text, 'threadstore_runs_executing')).toBe(0);
});

test('gauges the turns executing here and the unfinished runs in the store; a cancel is no upstream error', async () => {
  const { app, base, asst, thread } = await start([
    { fault: 'hang-mid-stream' },
    { toolCalls: [{ name: 'get_weather', arguments: ['{"city":"Oslo"}'] }] },
  ]);
  const hanging = await app.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
  await app.waitFor(thread.id, hanging.id, ['in_progress']);
  await vi.waitFor(() => expect(app.upstream.requests).toHaveLength(1));
  const during = await scrape(base);
  expect(sample(during, 'threadstore_runs_executing')).toBe(1);
  expect(sample(during, 'threadstore_runs{status="in_progress"}')).toBe(1);
  expect(sample(during, 'threadstore_runs{status="queued"}')).toBe(0);

  await app.ok(`/v1/threads/${thread.id}/runs/${hanging.id}/cancel`);
  await app.waitFor(thread.id, hanging.id, ['cancelled']);
  const waiting = await app.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, tools: [weatherTool] });
  await app.waitFor(thread.id, waiting.id, ['requires_action']);
  await vi.waitFor(async () => expect(sample(await scrape(base), 'threadstore_runs_executing')).toBe(0));

  // The stored counts are shared for a few seconds (like the thread gauges): move the clock past them.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + METRICS_COUNT_TTL_MS + 1);
  const after = await scrape(base);
  expect(sample(after, 'threadstore_runs{status="in_progress"}')).toBe(0);
  expect(sample(after, 'threadstore_runs{status="requires_action"}')).toBe(1);
  expect(sample(after, 'threadstore_runs{status="cancelling"}')).toBe(0);
  expect(sample(after, statusSeries('cancelling'))).toBe(1);
  expect(sample(after, statusSeries('cancelled'))).toBe(1);
  expect(sample(after, statusSeries('requires_action'))).toBe(1);
  for (const code of ['server_error', 'rate_limit_exceeded', 'invalid_prompt']) {
    expect(sample(after, `threadstore_upstream_errors_total{code="${code}"}`)).toBe(0);
  }
  expect(sample(after, 'threadstore_upstream_first_chunk_seconds_count')).toBe(2);
  expect(sample(after, 'threadstore_upstream_turn_seconds_count')).toBe(1);
});
