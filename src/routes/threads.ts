import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { threadNotFound } from '../errors.js';
import { toNewMessage } from '../message-input.js';
import {
  CreateThreadRequest,
  DeleteThreadResponse,
  ModifyThreadRequest,
  ThreadObject,
  ThreadParams,
} from '../schemas/threads.js';

export const threadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/threads',
    { schema: { operationId: 'createThread', body: CreateThreadRequest, response: { 200: ThreadObject } } },
    async (request) => {
      const { messages = [], metadata, tool_resources } = request.body;
      return app.store.threads.create(request.tenant, {
        metadata: metadata ?? {},
        tool_resources: tool_resources ?? {},
        messages: messages.map(toNewMessage),
      });
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
      schema: { operationId: 'modifyThread', params: ThreadParams, body: ModifyThreadRequest, response: { 200: ThreadObject } },
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
