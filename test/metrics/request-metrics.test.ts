import { Counter, Histogram, Registry } from 'prom-client';
import { expect, test } from 'vitest';
import { RequestMetrics } from '../../src/metrics/request-metrics.js';

const COUNTER = ['http_requests_total', 'Requests.'] as const;
const HISTOGRAM = ['http_request_duration_seconds', 'Latency.'] as const;

/** The same requests through prom-client's own Counter and Histogram, and through RequestMetrics. */
function bothRegistries(requests: [method: string, route: string, status: number, seconds: number][]) {
  const reference = new Registry();
  const labelNames = ['method', 'route', 'status_code'];
  const counter = new Counter({ name: COUNTER[0], help: COUNTER[1], labelNames, registers: [reference] });
  const histogram = new Histogram({ name: HISTOGRAM[0], help: HISTOGRAM[1], labelNames, registers: [reference] });
  const ours = new Registry();
  const metrics = new RequestMetrics();
  ours.registerMetric(metrics.counter(...COUNTER));
  ours.registerMetric(metrics.histogram(...HISTOGRAM));
  for (const [method, route, status, seconds] of requests) {
    const labels = { method, route, status_code: String(status) };
    counter.inc(labels);
    histogram.observe(labels, seconds);
    metrics.record(method, route, status, seconds);
  }
  return { reference, ours, metrics };
}

/** Prometheus text has no order among a family's series: compare each family's lines as a set. */
const lines = (text: string) => text.split('\n').sort();

test('reads out what prom-client would: every series, bucket, sum and count', async () => {
  const { reference, ours } = bothRegistries([
    ['GET', '/v1/threads/:thread_id', 200, 0.0004],
    ['GET', '/v1/threads/:thread_id', 200, 0.005], // on a bucket's bound: counted in it, as prom-client does
    ['GET', '/v1/threads/:thread_id', 404, 0.02],
    ['POST', '/v1/threads/:thread_id', 200, 0.7],
    ['POST', '/v1/threads', 200, 12],
    ['GET', 'unmatched', 404, 0.0001],
    ['GET', '/v1/threads/:thread_id', 200, 3.25],
  ]);
  expect(lines(await ours.metrics())).toEqual(lines(await reference.metrics()));
});

test('label values are escaped as prom-client escapes them, and a reset empties the series', async () => {
  const { reference, ours } = bothRegistries([['GET', '/odd/"quoted"\\path\n', 200, 0.01]]);
  expect(lines(await ours.metrics())).toEqual(lines(await reference.metrics()));
  ours.resetMetrics();
  reference.resetMetrics();
  expect(lines(await ours.metrics())).toEqual(lines(await reference.metrics()));
});
