import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { conversationNotFound, itemNotFound } from '../../errors.js';
import { IdempotencyHeaders, idempotencyOf } from '../../http/idempotency.js';
import { newConversationId } from '../../ids.js';
import {
  ConversationParams,
  ConversationResource,
  CreateConversationBody,
  DeletedConversationResource,
  UpdateConversationBody,
} from '../../schemas/conversations.js';
import { validateInputItems } from '../../schemas/compile/input-items.js';
import { fromInputItem, isReference, toConversation } from '../../views/conversation-view.js';

/** The Conversations API's conversation routes: a conversation is a thread, under the same id. */
export const conversationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/conversations',
    {
      schema: {
        operationId: 'createConversation',
        headers: IdempotencyHeaders,
        body: CreateConversationBody,
        response: { 200: ConversationResource },
      },
    },
    async (request) => {
      const { items, metadata } = request.body;
      const inputs = validateInputItems(items ?? []);
      // A new conversation has no items yet that a reference could name.
      const reference = inputs.find(isReference);
      if (reference) throw itemNotFound(reference.id);
      const thread = {
        id: newConversationId(),
        metadata: metadata ?? {},
        tool_resources: {},
        items: inputs.map((input) => fromInputItem(input as Record<string, unknown>)),
      };
      return toConversation(await app.store.threads.create(request.tenant, thread, idempotencyOf(request)));
    },
  );

  app.get(
    '/conversations/:conversation_id',
    { schema: { operationId: 'getConversation', params: ConversationParams, response: { 200: ConversationResource } } },
    async (request) => {
      const { conversation_id } = request.params;
      const thread = await app.store.threads.get(request.tenant, conversation_id);
      if (!thread) throw conversationNotFound(conversation_id);
      return toConversation(thread);
    },
  );

  app.post(
    '/conversations/:conversation_id',
    {
      schema: {
        operationId: 'updateConversation',
        params: ConversationParams,
        body: UpdateConversationBody,
        response: { 200: ConversationResource },
      },
    },
    async (request) => {
      const { conversation_id } = request.params;
      const thread = await app.store.threads.update(request.tenant, conversation_id, {
        metadata: request.body.metadata ?? {},
      });
      if (!thread) throw conversationNotFound(conversation_id);
      return toConversation(thread);
    },
  );

  app.delete(
    '/conversations/:conversation_id',
    {
      schema: {
        operationId: 'deleteConversation',
        params: ConversationParams,
        response: { 200: DeletedConversationResource },
      },
    },
    async (request) => {
      const { conversation_id } = request.params;
      if (!(await app.store.threads.delete(request.tenant, conversation_id)))
        throw conversationNotFound(conversation_id);
      return { id: conversation_id, object: 'conversation.deleted' as const, deleted: true };
    },
  );
};
