import type { FastifyServerOptions } from 'fastify';
import pino from 'pino';

/** Never in a log line, whoever logs a request or its headers. */
export const REDACTED_LOG_PATHS = ['req.headers', 'headers', 'request.headers'].flatMap((headers) => [
  `${headers}.authorization`,
  `${headers}["api-key"]`,
]);

/**
 * The app's logger options, the one place they are built. `to`: a stream (tests read it); `'stdout'`, the
 * server's: pretty on a TTY, else lines written asynchronously (under load they gather into one write while
 * the previous one is in flight, instead of one blocking write per request; pino flushes them on exit);
 * absent, Fastify's own stdout.
 */
export function loggerOptions(level: string, to?: NodeJS.WritableStream | 'stdout'): FastifyServerOptions['logger'] {
  const options = { level, redact: REDACTED_LOG_PATHS };
  if (to === undefined) return options;
  if (to !== 'stdout') return { ...options, stream: to };
  return process.stdout.isTTY
    ? { ...options, transport: { target: 'pino-pretty' } }
    : { ...options, stream: pino.destination({ dest: 1, sync: false }) };
}
