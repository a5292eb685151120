import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { API_PREFIXES } from './api-prefixes.js';
import { KeyRing } from './api-keys.js';
import { AuthFailureLimit } from './auth-failure-limit.js';
import backPressure from './plugins/back-pressure.js';
import type { Config } from './config.js';
import { ApiError, headersTooLarge, requestTimedOut, shuttingDown } from './errors.js';
import { newRequestId } from './ids.js';
import cors from './plugins/cors.js';
import errorHandler, { answerUnroutable } from './plugins/error-handler.js';
import jsonBody from './plugins/json-body.js';
import metrics from './plugins/metrics.js';
import openapi from './plugins/openapi.js';
import rateLimit from './plugins/rate-limit.js';
import runner from './plugins/runner.js';
import storePlugin from './plugins/store.js';
import upstreamPlugin from './plugins/upstream.js';
import { RequestLog } from './request-log.js';
import { apiRoutes } from './routes/api.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { uiRoutes } from './routes/ui.js';
import { compileSerializer } from './serialization.js';
import { compileValidator } from './validation.js';

/**
 * Set explicitly so a slow or stalled client cannot hold a connection: the whole head within 10 s,
 * the whole request within 30 s (a 2 MiB body at 70 kB/s), idle keep-alive connections closed after 72 s
 * (longer than the usual 60 s of load balancers in front, so they close first).
 */
export const SERVER_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 72_000 } as const;

/** Never in a log line, whoever logs a request or its headers. */
export const REDACTED_LOG_PATHS = ['req.headers', 'headers', 'request.headers'].flatMap((headers) => [
  `${headers}.authorization`,
  `${headers}["api-key"]`,
]);

declare module 'fastify' {
  interface FastifyInstance {
    /** The API keys in force. */
    keys: KeyRing;
  }
}

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** Where the default logger writes (stdout when absent). */
  logStream?: NodeJS.WritableStream;
}

/** Answers a request Node's parser refused before routing (headers too large, too slow, malformed) with the envelope. */
function rejectMalformedRequest(
  this: FastifyInstance,
  error: NodeJS.ErrnoException,
  socket: import('node:net').Socket,
) {
  if (!socket.writable) return socket.destroy(error);
  const requestId = newRequestId();
  this.log.info({ reqId: requestId, code: error.code }, 'request refused before routing');
  const [status, reason, apiError] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', headersTooLarge()]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', requestTimedOut()]
        : [400, 'Bad Request', new ApiError(400, 'Bad request.')];
  const body = JSON.stringify(apiError.toBody());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nX-Request-Id: ${requestId}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export async function buildApp(config: Config, options: AppOptions = {}) {
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: REDACTED_LOG_PATHS,
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    logController: new RequestLog(),
    genReqId: newRequestId,
    requestIdHeader: false,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // ignoreDuplicateSlashes: AzureOpenAI of openai-node 4 and 5 joins an endpoint ending in '/' into '//openai/...'.
    routerOptions: { maxParamLength: 500, ignoreDuplicateSlashes: true },
    clientErrorHandler: rejectMalformedRequest,
    frameworkErrors: answerUnroutable,
    requestTimeout: SERVER_TIMEOUTS.requestTimeout,
    keepAliveTimeout: SERVER_TIMEOUTS.keepAliveTimeout,
    // Fastify's own 503 while closing has its own body; the hook below answers with the envelope.
    return503OnClosing: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.server.headersTimeout = SERVER_TIMEOUTS.headersTimeout;

  app.setValidatorCompiler(({ schema, httpPart }) =>
    compileValidator(schema as Record<string, unknown>, { coerceStrings: httpPart !== 'body' }),
  );

  app.setSerializerCompiler(({ schema }) => compileSerializer(schema as Record<string, unknown>));

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Per-request hooks take a callback rather than being async: no promise and no extra tick per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done(closing ? shuttingDown() : undefined);
  });

  await app.register(errorHandler);
  await app.register(jsonBody);
  await app.register(storePlugin, { database: config.database });
  // Before the upstream and the runner: they register their metrics in its registry.
  await app.register(metrics);
  await app.register(upstreamPlugin, { upstream: config.upstream });
  if (config.database.engine === 'postgres')
    await app.register(backPressure, { maxPendingBytes: config.database.maxPendingBytes });
  await app.register(runner, { expirySeconds: config.runExpirySeconds });
  await app.register(openapi);
  if (config.corsOrigins.length > 0) await app.register(cors, { origins: config.corsOrigins });
  if (config.rateLimitPerMinute !== undefined) await app.register(rateLimit, { perMinute: config.rateLimitPerMinute });
  const keys = new KeyRing(config.apiKeys);
  // Shared by both mounts, and reachable from server.ts, which replaces the keys on SIGHUP.
  app.decorate('keys', keys);
  const failures = new AuthFailureLimit(config.authFailuresPerMinute);
  await app.register(healthRoutes);
  await app.register(uiRoutes);
  // /metrics answers once, at the root: in the open with METRICS_PUBLIC=true, else behind the API's keys.
  for (const prefix of API_PREFIXES) {
    await app.register(apiRoutes, { prefix, keys, failures, metrics: prefix === '' && !config.metricsPublic });
  }
  if (config.metricsPublic) await app.register(metricsRoute);
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
