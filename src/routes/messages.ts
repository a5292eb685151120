import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { messageNotFound, threadNotFound } from '../errors.js';
import { IdempotencyHeaders, idempotencyOf } from '../idempotency.js';
import { toNewMessage } from '../message-input.js';
import { toListResponse } from './list-response.js';
import {
  CreateMessageRequest,
  DeleteMessageResponse,
  ListMessagesQuery,
  ListMessagesResponse,
  MessageObject,
  MessageParams,
  ModifyMessageRequest,
} from '../schemas/messages.js';
import { ThreadParams } from '../schemas/threads.js';

/** The 404 for a message that was not found: its thread's when the thread is the one missing. */
async function notFound(app: FastifyInstance, tenant: string, threadId: string, messageId: string) {
  const thread = await app.store.threads.get(tenant, threadId);
  return thread ? messageNotFound(messageId) : threadNotFound(threadId);
}

export const messageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/threads/:thread_id/messages',
    {
      schema: {
        operationId: 'createMessage',
        params: ThreadParams,
        headers: IdempotencyHeaders,
        body: CreateMessageRequest,
        response: { 200: MessageObject },
      },
    },
    async (request) => {
      const { thread_id } = request.params;
      const message = await app.store.messages.create(
        request.tenant,
        thread_id,
        toNewMessage(request.body),
        idempotencyOf(request),
      );
      if (!message) throw threadNotFound(thread_id);
      return message;
    },
  );

  app.get(
    '/threads/:thread_id/messages',
    {
      schema: {
        operationId: 'listMessages',
        params: ThreadParams,
        querystring: ListMessagesQuery,
        response: { 200: ListMessagesResponse },
      },
    },
    async (request) => {
      const { thread_id } = request.params;
      const { limit = 20, order = 'desc', after, before, run_id } = request.query;
      const page = await app.store.messages.list(request.tenant, thread_id, { limit, order, after, before, run_id });
      if (!page) throw threadNotFound(thread_id);
      return toListResponse(page);
    },
  );

  app.get(
    '/threads/:thread_id/messages/:message_id',
    { schema: { operationId: 'getMessage', params: MessageParams, response: { 200: MessageObject } } },
    async (request) => {
      const { thread_id, message_id } = request.params;
      const message = await app.store.messages.get(request.tenant, thread_id, message_id);
      if (!message) throw await notFound(app, request.tenant, thread_id, message_id);
      return message;
    },
  );

  app.post(
    '/threads/:thread_id/messages/:message_id',
    {
      schema: {
        operationId: 'modifyMessage',
        params: MessageParams,
        body: ModifyMessageRequest,
        response: { 200: MessageObject },
      },
    },
    async (request) => {
      const { thread_id, message_id } = request.params;
      const { metadata } = request.body;
      const message =
        metadata === undefined
          ? await app.store.messages.get(request.tenant, thread_id, message_id)
          : await app.store.messages.update(request.tenant, thread_id, message_id, metadata ?? {});
      if (!message) throw await notFound(app, request.tenant, thread_id, message_id);
      return message;
    },
  );

  app.delete(
    '/threads/:thread_id/messages/:message_id',
    { schema: { operationId: 'deleteMessage', params: MessageParams, response: { 200: DeleteMessageResponse } } },
    async (request) => {
      const { thread_id, message_id } = request.params;
      if (!(await app.store.messages.delete(request.tenant, thread_id, message_id))) {
        throw await notFound(app, request.tenant, thread_id, message_id);
      }
      return { id: message_id, object: 'thread.message.deleted' as const, deleted: true };
    },
  );
};
