import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  ApiError,
  assistantNotFound,
  bodyTooLarge,
  internalError,
  invalidJson,
  routeNotFound,
  unknownAssistantCursor,
  unsupportedContentType,
} from '../errors.js';
import { answerStoreError } from '../run-errors.js';
import { AssistantNotFound, StoreError, UnknownAssistantCursor } from '../store/store-errors.js';

/** The store's refusals as the API's errors. */
function fromStore(error: unknown): ApiError | undefined {
  if (error instanceof AssistantNotFound) return assistantNotFound(error.assistantId);
  if (error instanceof UnknownAssistantCursor) return unknownAssistantCursor(error.param, error.id);
  if (error instanceof StoreError) return answerStoreError(error);
  return undefined;
}

/** Fastify's own failures, before a handler runs, as the API's errors. */
function fromFastify(error: FastifyError, contentType: string | undefined, bodyLimit: number): ApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return bodyTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedContentType((contentType ?? '').split(';')[0]!.trim());
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidJson();
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError(status, error.message);
  return undefined;
}

const invalidUrl = (request: FastifyRequest) => routeNotFound(request.method, request.url.split('?')[0]!);

/**
 * The router's own failures, before any hook runs (a path that does not percent-decode, a path segment
 * over `maxParamLength`): such a URL names no route, so it gets the unknown-route 404.
 * Installed as Fastify's `frameworkErrors` option.
 */
export function answerUnroutable(_error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).header('x-request-id', request.id).send(invalidUrl(request).toBody());
}

/** The one place where failures become OpenAI's error envelope. */
export default fp(async function errorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let apiError =
      error instanceof ApiError
        ? error
        : (fromStore(error) ?? fromFastify(error, request.headers['content-type'], app.initialConfig.bodyLimit ?? 0));
    if (!apiError) {
      request.log.error({ err: error }, 'unhandled error');
      apiError = internalError();
    } else if (apiError.statusCode >= 500) {
      request.log.error({ err: error }, apiError.message);
    }
    return reply.code(apiError.statusCode).headers(apiError.headers).send(apiError.toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send(invalidUrl(request).toBody());
  });
});
