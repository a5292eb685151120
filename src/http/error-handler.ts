import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  ApiError,
  assistantNotFound,
  bodyTooLarge,
  conversationNotFound,
  idempotencyConflict,
  internalError,
  invalidJson,
  itemIdTaken,
  itemNotFound,
  messageNotFound,
  messagesLockedByRun,
  routeNotFound,
  storeBusy,
  storeCannotWrite,
  storeOverloaded,
  storeUnavailable,
  threadHasActiveRun,
  threadNotFound,
  unknownCursor,
  unknownAssistantCursor,
  unknownRunCursor,
  unknownThreadCursor,
  unsupportedContentType,
} from '../errors.js';
import {
  AssistantNotFound,
  IdempotencyConflict,
  ItemIdTaken,
  ItemNotFound,
  MessagesLockedByRun,
  StoreBusy,
  StoreCannotWrite,
  StoreError,
  StoreOverloaded,
  StoreUnavailable,
  ThreadNotFound,
  ThreadRunActive,
  UnknownAssistantCursor,
  UnknownCursor,
  UnknownListCursor,
  UnknownThreadCursor,
} from '../store/store-errors.js';

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

/**
 * The store's errors as the API's. A thread and its items are worded as the API of the route asks for
 * them: a conversation and its items under /conversations, a thread and its messages elsewhere.
 */
export function fromStore(error: StoreError, conversations: boolean): ApiError | undefined {
  if (error instanceof ThreadNotFound)
    return conversations ? conversationNotFound(error.threadId) : threadNotFound(error.threadId);
  if (error instanceof ItemNotFound) return conversations ? itemNotFound(error.itemId) : messageNotFound(error.itemId);
  if (error instanceof AssistantNotFound) return assistantNotFound(error.assistantId);
  if (error instanceof UnknownAssistantCursor) return unknownAssistantCursor(error.param, error.id);
  if (error instanceof UnknownCursor) return unknownCursor(error.param, error.id);
  if (error instanceof UnknownThreadCursor) return unknownThreadCursor(error.param, error.id);
  if (error instanceof ItemIdTaken) return itemIdTaken(error.index, error.id);
  if (error instanceof IdempotencyConflict) return idempotencyConflict();
  if (error instanceof StoreOverloaded) return storeOverloaded();
  if (error instanceof StoreUnavailable) return storeUnavailable();
  if (error instanceof StoreBusy) return storeBusy();
  if (error instanceof StoreCannotWrite) return storeCannotWrite(error.reason);
  if (error instanceof ThreadRunActive) return threadHasActiveRun(error.threadId, error.runId);
  if (error instanceof MessagesLockedByRun) return messagesLockedByRun(error.threadId, error.runId);
  if (error instanceof UnknownListCursor) return unknownRunCursor(error.param, error.kind, error.id);
  return internalError();
}

const isConversationsRoute = (request: FastifyRequest) => request.routeOptions.url?.includes('/conversations') ?? false;

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
async function errorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let apiError =
      error instanceof ApiError
        ? error
        : error instanceof StoreError
          ? fromStore(error, isConversationsRoute(request))
          : fromFastify(error, request.headers['content-type'], app.initialConfig.bodyLimit ?? 0);
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
}

export default fp(errorHandler, { name: 'error-handler' });
