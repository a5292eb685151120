// One autocannon run against one server: 32 connections, each request built by the case.
import autocannon from 'autocannon';

export const CONNECTIONS = 32;

/**
 * `request(i)` returns { method, path, body? } for the i-th request of the run.
 * Resolves to { rps, p50, p99, requests, failures } (latency in ms); failures counts errors,
 * timeouts and non-2xx answers, which the caller treats as a broken benchmark.
 */
export async function load(url, request, seconds) {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        setupRequest(raw) {
          const { method, path, body } = request(next++);
          raw.method = method;
          raw.path = path;
          raw.body = body;
          raw.headers = body === undefined ? {} : { 'content-type': 'application/json' };
          return raw;
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}
