import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { threadNotFound } from '../../errors.js';
import { IdempotencyHeaders, idempotencyOf } from '../../http/idempotency.js';
import { fromCreateMessage } from '../../views/thread-view.js';
import { toListResponse } from '../list-response.js';
import { metadataFilterOf } from '../metadata-filter.js';
import {
  CreateThreadRequest,
  DeleteThreadResponse,
  ListThreadsQuery,
  ListThreadsResponse,
  ModifyThreadRequest,
  ThreadObject,
  ThreadParams,
} from '../../schemas/threads.js';

export const threadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/threads',
    {
      schema: {
        operationId: 'createThread',
        headers: IdempotencyHeaders,
        body: CreateThreadRequest,
        response: { 200: ThreadObject },
      },
    },
    async (request) => {
      const { messages = [], metadata, tool_resources } = request.body;
      const thread = {
        metadata: metadata ?? {},
        tool_resources: tool_resources ?? {},
        items: messages.map(fromCreateMessage),
      };
      return app.store.threads.create(request.tenant, thread, idempotencyOf(request));
    },
  );

  app.get(
    '/threads',
    {
      schema: {
        operationId: 'listThreads',
        summary: 'List threads (threadstore extension)',
        description:
          "Not part of OpenAI's API: lists the caller's threads, paged like messages. `metadata[key]=value` filters (at most 16 pairs).",
        querystring: ListThreadsQuery,
        response: { 200: ListThreadsResponse },
      },
    },
    async (request) => {
      const { limit = 20, order = 'desc', after, before } = request.query;
      const metadata = metadataFilterOf(request.query as Record<string, unknown>);
      const page = await app.store.threads.list(request.tenant, { limit, order, after, before, metadata });
      return toListResponse(page);
    },
  );

  app.get(
    '/threads/:thread_id',
    { schema: { operationId: 'getThread', params: ThreadParams, response: { 200: ThreadObject } } },
    async (request) => {
      const { thread_id } = request.params;
      const thread = await app.store.threads.get(request.tenant, thread_id);
      if (!thread) throw threadNotFound(thread_id);
      return thread;
    },
  );

  app.post(
    '/threads/:thread_id',
    {
      schema: {
        operationId: 'modifyThread',
        params: ThreadParams,
        body: ModifyThreadRequest,
        response: { 200: ThreadObject },
      },
    },
    async (request) => {
      const { thread_id } = request.params;
      const { metadata, tool_resources } = request.body;
      const thread = await app.store.threads.update(request.tenant, thread_id, {
        metadata: metadata === undefined ? undefined : (metadata ?? {}),
        tool_resources: tool_resources === undefined ? undefined : (tool_resources ?? {}),
      });
      if (!thread) throw threadNotFound(thread_id);
      return thread;
    },
  );

  app.delete(
    '/threads/:thread_id',
    { schema: { operationId: 'deleteThread', params: ThreadParams, response: { 200: DeleteThreadResponse } } },
    async (request) => {
      const { thread_id } = request.params;
      if (!(await app.store.threads.delete(request.tenant, thread_id))) throw threadNotFound(thread_id);
      return { id: thread_id, object: 'thread.deleted' as const, deleted: true };
    },
  );
};
