import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { API_PREFIXES } from './http/api-prefixes.js';
import auth from './auth/plugin.js';
import backPressure from './http/back-pressure.js';
import type { Config } from './config.js';
import { shuttingDown } from './errors.js';
import { newRequestId } from './ids.js';
import cors from './http/cors.js';
import errorHandler, { answerUnroutable } from './http/error-handler.js';
import jsonBody from './http/json-body.js';
import { loggerOptions } from './http/logger.js';
import { rejectMalformedRequest } from './http/malformed-request.js';
import metrics from './metrics/plugin.js';
import openapi from './plugins/openapi.js';
import rateLimit from './http/rate-limit.js';
import runner from './plugins/runner.js';
import storePlugin from './plugins/store.js';
import { RequestLog } from './http/request-log.js';
import upstreamPlugin from './plugins/upstream.js';
import { apiRoutes } from './routes/api.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './metrics/route.js';
import { uiRoutes } from './routes/ui.js';
import { compileSerializer } from './schemas/compile/serialization.js';
import { compileValidator } from './schemas/compile/validation.js';

/**
 * Set explicitly so a slow or stalled client cannot hold a connection: the whole head within 10 s,
 * the whole request within 30 s (a 2 MiB body at 70 kB/s), idle keep-alive connections closed after 72 s
 * (longer than the usual 60 s of load balancers in front, so they close first).
 */
export const SERVER_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 72_000 } as const;

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** Where the default logger writes (stdout when absent). */
  logStream?: NodeJS.WritableStream;
}

export async function buildApp(config: Config, options: AppOptions = {}) {
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.logLevel, options.logStream),
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

  app.setSerializerCompiler(({ schema, contentType }) =>
    compileSerializer(schema as Record<string, unknown>, contentType),
  );

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
  await app.register(runner, {
    expirySeconds: config.runExpirySeconds,
    leaseSeconds: config.runLeaseSeconds,
    shutdownGraceSeconds: config.runShutdownGraceSeconds,
    perTenant: config.runsPerTenant,
    perReplica: config.runsPerReplica,
  });
  await app.register(openapi);
  await app.register(auth, { apiKeys: config.apiKeys, failuresPerMinute: config.authFailuresPerMinute });
  if (config.corsOrigins.length > 0) await app.register(cors, { origins: config.corsOrigins });
  if (config.rateLimitPerMinute !== undefined) await app.register(rateLimit, { perMinute: config.rateLimitPerMinute });
  await app.register(healthRoutes);
  await app.register(uiRoutes);
  // /metrics answers once, at the root: in the open with METRICS_PUBLIC=true, else behind the API's keys.
  for (const prefix of API_PREFIXES) {
    await app.register(apiRoutes, { prefix, metrics: prefix === '' && !config.metricsPublic });
  }
  if (config.metricsPublic) await app.register(metricsRoute);
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
