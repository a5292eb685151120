import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { assistantNotFound } from '../../errors.js';
import { IdempotencyHeaders, idempotencyOf } from '../../idempotency.js';
import {
  AssistantObject,
  AssistantParams,
  CreateAssistantRequest,
  DeleteAssistantResponse,
  ListAssistantsQuery,
  ListAssistantsResponse,
  ModifyAssistantRequest,
} from '../../schemas/assistants.js';
import { fromCreateAssistant, fromModifyAssistant } from '../../views/assistant-view.js';
import { toListResponse } from '../list-response.js';

/** The Assistants resource: create, list, retrieve, modify, delete, per tenant. */
export const assistantRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/assistants',
    {
      schema: {
        operationId: 'createAssistant',
        headers: IdempotencyHeaders,
        body: CreateAssistantRequest,
        response: { 200: AssistantObject },
      },
    },
    async (request) =>
      app.store.assistants.create(request.tenant, fromCreateAssistant(request.body), idempotencyOf(request)),
  );

  app.get(
    '/assistants',
    {
      schema: {
        operationId: 'listAssistants',
        querystring: ListAssistantsQuery,
        response: { 200: ListAssistantsResponse },
      },
    },
    async (request) => {
      const { limit = 20, order = 'desc', after, before } = request.query;
      return toListResponse(await app.store.assistants.list(request.tenant, { limit, order, after, before }));
    },
  );

  app.get(
    '/assistants/:assistant_id',
    { schema: { operationId: 'getAssistant', params: AssistantParams, response: { 200: AssistantObject } } },
    async (request) => {
      const { assistant_id } = request.params;
      const assistant = await app.store.assistants.get(request.tenant, assistant_id);
      if (!assistant) throw assistantNotFound(assistant_id);
      return assistant;
    },
  );

  app.post(
    '/assistants/:assistant_id',
    {
      schema: {
        operationId: 'modifyAssistant',
        params: AssistantParams,
        body: ModifyAssistantRequest,
        response: { 200: AssistantObject },
      },
    },
    async (request) => {
      const { assistant_id } = request.params;
      const changes = fromModifyAssistant(request.body);
      const assistant = await app.store.assistants.update(request.tenant, assistant_id, changes);
      if (!assistant) throw assistantNotFound(assistant_id);
      return assistant;
    },
  );

  app.delete(
    '/assistants/:assistant_id',
    { schema: { operationId: 'deleteAssistant', params: AssistantParams, response: { 200: DeleteAssistantResponse } } },
    async (request) => {
      const { assistant_id } = request.params;
      if (!(await app.store.assistants.delete(request.tenant, assistant_id))) throw assistantNotFound(assistant_id);
      return { id: assistant_id, object: 'assistant.deleted' as const, deleted: true };
    },
  );
};
