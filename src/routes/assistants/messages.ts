import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { messageNotFound } from '../../errors.js';
import { IdempotencyHeaders, idempotencyOf } from '../../http/idempotency.js';
import { sendJson } from '../send-json.js';
import {
  CreateMessageRequest,
  DeleteMessageResponse,
  ListMessagesQuery,
  ListMessagesResponse,
  MessageObject,
  MessageParams,
  ModifyMessageRequest,
} from '../../schemas/messages.js';
import { ThreadParams } from '../../schemas/threads.js';
import { listJson } from '../../views/response-json.js';
import { fromCreateMessage, toMessage } from '../../views/thread-view.js';

// A missing thread is the store's ThreadNotFound, which the error handler words as this API does.
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
      const items = [fromCreateMessage(request.body)];
      // The thread's active run refuses the message in the write itself (MessagesLockedByRun, RUNS.md's 400).
      const created = await app.store.items.create(request.tenant, thread_id, items, idempotencyOf(request), {
        lockedByRun: true,
      });
      return toMessage(created[0]!, thread_id);
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
    async (request, reply) => {
      const { thread_id } = request.params;
      const { limit = 20, order = 'desc', after, before, run_id } = request.query;
      const query = { limit, order, after, before, run_id, view: 'thread' as const };
      const page = await app.store.items.listJson(request.tenant, thread_id, query);
      return sendJson(reply, listJson(page.data, page.has_more));
    },
  );

  app.get(
    '/threads/:thread_id/messages/:message_id',
    { schema: { operationId: 'getMessage', params: MessageParams, response: { 200: MessageObject } } },
    async (request, reply) => {
      const { thread_id, message_id } = request.params;
      const json = await app.store.items.getJson(request.tenant, thread_id, message_id, 'thread');
      if (json === undefined) throw messageNotFound(message_id);
      return sendJson(reply, json);
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
      const record =
        metadata === undefined
          ? await app.store.items.get(request.tenant, thread_id, message_id, 'thread')
          : await app.store.items.update(request.tenant, thread_id, message_id, metadata ?? {}, 'thread');
      if (!record) throw messageNotFound(message_id);
      return toMessage(record, thread_id);
    },
  );

  app.delete(
    '/threads/:thread_id/messages/:message_id',
    { schema: { operationId: 'deleteMessage', params: MessageParams, response: { 200: DeleteMessageResponse } } },
    async (request) => {
      const { thread_id, message_id } = request.params;
      if (!(await app.store.items.delete(request.tenant, thread_id, message_id, 'thread'))) {
        throw messageNotFound(message_id);
      }
      return { id: message_id, object: 'thread.message.deleted' as const, deleted: true };
    },
  );
};
