import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { conversationNotFound, itemNotFound, itemsTooLarge } from '../../errors.js';
import { IdempotencyHeaders, idempotencyOf } from '../../http/idempotency.js';
import {
  ConversationItem,
  ConversationItemList,
  ConversationItemParams,
  ConversationParams,
  ConversationResource,
  CreateConversationItemsBody,
  IncludeQuery,
  ListConversationItemsQuery,
} from '../../schemas/conversations.js';
import { validateInputItems } from '../../schemas/compile/input-items.js';
import type { NewItem } from '../../store/records.js';
import { copyOf, fromInputItem, isReference, toConversation, toItem } from '../../views/conversation-view.js';
import { listJson } from '../../views/response-json.js';
import { toListResponse } from '../list-response.js';
import { sendJson } from '../send-json.js';

/** `include[]=…` as the SDKs send it, or `include=…`: one list before validation, named `include`. */
function mergeInclude(query: Record<string, unknown>): void {
  const values = [query.include, query['include[]']].flat().filter((value) => value !== undefined);
  delete query['include[]'];
  if (values.length > 0) query.include = values;
}

/** A new item and the bytes of JSON it writes: its content and what it carries beside. */
interface Sized {
  item: NewItem;
  bytes: number;
}
const sized = (item: NewItem): Sized => ({
  item,
  bytes: Buffer.byteLength(JSON.stringify([item.item, item.content, item.attachments, item.metadata])),
});

/** The Conversations API's item routes: a conversation's items are its thread's history, every type. */
export const conversationItemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preValidation', (request, _reply, done) => {
    mergeInclude(request.query as Record<string, unknown>);
    done();
  });

  // A missing conversation is the store's ThreadNotFound, which the error handler words as this API does.

  app.post(
    '/conversations/:conversation_id/items',
    {
      schema: {
        operationId: 'createConversationItems',
        params: ConversationParams,
        querystring: IncludeQuery,
        headers: IdempotencyHeaders,
        body: CreateConversationItemsBody,
        response: { 200: ConversationItemList },
      },
    },
    async (request) => {
      const { conversation_id } = request.params;
      const { tenant } = request;
      const inputs = validateInputItems(request.body.items);
      // A reference is a copy of a stored item: what the request writes (and answers, and its record keeps)
      // is bounded once they are expanded, by the limit its body has. Reading stops past it, and an item
      // referenced again is not read again.
      const limit = app.initialConfig.bodyLimit!;
      const copies = new Map<string, Sized>();
      let written = 0;
      const items: NewItem[] = [];
      for (const input of inputs) {
        let next: Sized;
        if (isReference(input)) {
          const copied = copies.get(input.id);
          if (copied) next = copied;
          else {
            const referenced = await app.store.items.get(tenant, conversation_id, input.id, 'all');
            if (!referenced) throw itemNotFound(input.id);
            next = sized(copyOf(referenced));
            copies.set(input.id, next);
          }
        } else {
          next = sized(fromInputItem(input as Record<string, unknown>));
        }
        written += next.bytes;
        if (written > limit) throw itemsTooLarge(limit);
        items.push(next.item);
      }
      const created = await app.store.items.create(tenant, conversation_id, items, idempotencyOf(request));
      return toListResponse({ data: created.map(toItem), has_more: false });
    },
  );

  app.get(
    '/conversations/:conversation_id/items',
    {
      schema: {
        operationId: 'listConversationItems',
        params: ConversationParams,
        querystring: ListConversationItemsQuery,
        response: { 200: ConversationItemList },
      },
    },
    async (request, reply) => {
      const { conversation_id } = request.params;
      const { limit = 20, order = 'desc', after } = request.query;
      const query = { limit, order, after, view: 'all' as const };
      const page = await app.store.items.listJson(request.tenant, conversation_id, query);
      return sendJson(reply, listJson(page.data, page.has_more));
    },
  );

  app.get(
    '/conversations/:conversation_id/items/:item_id',
    {
      schema: {
        operationId: 'getConversationItem',
        params: ConversationItemParams,
        querystring: IncludeQuery,
        response: { 200: ConversationItem },
      },
    },
    async (request, reply) => {
      const { conversation_id, item_id } = request.params;
      const json = await app.store.items.getJson(request.tenant, conversation_id, item_id, 'all');
      if (json === undefined) throw itemNotFound(item_id);
      return sendJson(reply, json);
    },
  );

  app.delete(
    '/conversations/:conversation_id/items/:item_id',
    {
      schema: {
        operationId: 'deleteConversationItem',
        params: ConversationItemParams,
        response: { 200: ConversationResource },
      },
    },
    async (request) => {
      const { conversation_id, item_id } = request.params;
      if (!(await app.store.items.delete(request.tenant, conversation_id, item_id, 'all'))) {
        throw itemNotFound(item_id);
      }
      const thread = await app.store.threads.get(request.tenant, conversation_id);
      if (!thread) throw conversationNotFound(conversation_id);
      return toConversation(thread);
    },
  );
};
