import { Type, type Static } from 'typebox';
import { ThreadIdParam, ListResponse, Metadata, NullableMetadata, PageQueryFields } from './common.js';
import { CreateMessageRequest } from './messages.js';

const closed = { additionalProperties: false } as const;

/** Messages one thread create may carry. */
export const MAX_THREAD_MESSAGES = 32;

export const ToolResources = Type.Object(
  {
    code_interpreter: Type.Optional(
      Type.Object({ file_ids: Type.Optional(Type.Array(Type.String(), { maxItems: 20 })) }, closed),
    ),
    file_search: Type.Optional(
      Type.Object({ vector_store_ids: Type.Optional(Type.Array(Type.String(), { maxItems: 1 })) }, closed),
    ),
  },
  closed,
);

export const CreateThreadRequest = Type.Object(
  {
    // The hosted API took at most 32 (its spec is silent): it bounds the work one create does.
    messages: Type.Optional(Type.Array(CreateMessageRequest, { maxItems: MAX_THREAD_MESSAGES })),
    tool_resources: Type.Optional(Type.Union([ToolResources, Type.Null()])),
    metadata: Type.Optional(NullableMetadata),
  },
  { ...closed, title: 'CreateThreadRequest' },
);

export const ModifyThreadRequest = Type.Object(
  {
    tool_resources: Type.Optional(Type.Union([ToolResources, Type.Null()])),
    metadata: Type.Optional(NullableMetadata),
  },
  { ...closed, title: 'ModifyThreadRequest' },
);

export const ThreadObject = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('thread'),
    created_at: Type.Integer(),
    tool_resources: ToolResources,
    metadata: Metadata,
  },
  { title: 'ThreadObject' },
);

export const DeleteThreadResponse = Type.Object(
  { id: Type.String(), object: Type.Literal('thread.deleted'), deleted: Type.Boolean() },
  { title: 'DeleteThreadResponse' },
);

export const ThreadParams = Type.Object({ thread_id: ThreadIdParam('thread') });

/** An extension OpenAI never had: the caller's threads, paged like messages; `metadata[key]=value` filters. */
export const ListThreadsQuery = Type.Object(PageQueryFields);

export const ListThreadsResponse = ListResponse(ThreadObject, 'ListThreadsResponse');

export type ToolResources = Static<typeof ToolResources>;
export type CreateThreadRequest = Static<typeof CreateThreadRequest>;
export type ModifyThreadRequest = Static<typeof ModifyThreadRequest>;
export type ThreadObject = Static<typeof ThreadObject>;
