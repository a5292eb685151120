import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { headersTooLarge } from './errors.js';
import errorHandler, { answerUnroutable } from './plugins/error-handler.js';
import jsonBody from './plugins/json-body.js';
import metrics from './plugins/metrics.js';
import openapi from './plugins/openapi.js';
import storePlugin from './plugins/store.js';
import { RequestLog } from './request-log.js';
import { apiRoutes } from './routes/api.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { compileValidator } from './validation.js';

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
}

const newRequestId = () => `req_${randomBytes(16).toString('hex')}`;

/** Answers a request Node's parser refused before routing (e.g. headers too large) with the envelope. */
function rejectMalformedRequest(this: FastifyInstance, error: NodeJS.ErrnoException, socket: import('node:net').Socket) {
  if (!socket.writable) return socket.destroy(error);
  const requestId = newRequestId();
  this.log.info({ reqId: requestId, code: error.code }, 'request refused before routing');
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    tooLarge ? headersTooLarge().toBody() : { error: { message: 'Bad request.', type: 'invalid_request_error', param: null, code: null } },
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nX-Request-Id: ${requestId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export async function buildApp(config: Config, options: AppOptions = {}) {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel, redact: ['req.headers.authorization'] },
    logController: new RequestLog(),
    genReqId: newRequestId,
    requestIdHeader: false,
    bodyLimit: config.bodyLimit,
    routerOptions: { maxParamLength: 500 },
    clientErrorHandler: rejectMalformedRequest,
    frameworkErrors: answerUnroutable,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(({ schema, httpPart }) =>
    compileValidator(schema as Record<string, unknown>, { coerceStrings: httpPart !== 'body' }),
  );

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorHandler);
  await app.register(jsonBody);
  await app.register(storePlugin, { database: config.database });
  await app.register(metrics);
  await app.register(openapi);
  await app.register(healthRoutes);
  await app.register(apiRoutes, { prefix: '/v1' });
  // /metrics answers once, at the root: in the open with METRICS_PUBLIC=true, else inside the API's scope.
  await app.register(apiRoutes, { metrics: !config.metricsPublic });
  if (config.metricsPublic) await app.register(metricsRoute);
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
