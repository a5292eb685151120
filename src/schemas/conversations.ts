import { Type, type Static } from 'typebox';
import { Metadata, NullableMetadata, ThreadIdParam } from './common.js';

const closed = { additionalProperties: false } as const;

/** At most this many items per create, on both create routes. */
export const MAX_ITEMS_PER_CREATE = 20;

/** Any item of the spec's `InputItem` union: the route checks each by its `type` (schemas/compile/input-items.ts). */
export const InputItem = Type.Unsafe<Record<string, unknown>>(
  Type.Object(
    {},
    {
      additionalProperties: true,
      title: 'InputItem',
      description: "A message (`type` may be left out), an `item_reference`, or any other item type of OpenAI's spec.",
    },
  ),
);

const InputItems = Type.Array(InputItem, { maxItems: MAX_ITEMS_PER_CREATE });

export const CreateConversationBody = Type.Object(
  { items: Type.Optional(Type.Union([InputItems, Type.Null()])), metadata: Type.Optional(NullableMetadata) },
  { ...closed, title: 'CreateConversationBody' },
);

export const UpdateConversationBody = Type.Object(
  { metadata: NullableMetadata },
  { ...closed, title: 'UpdateConversationBody' },
);

export const CreateConversationItemsBody = Type.Object(
  { items: InputItems },
  { ...closed, title: 'CreateConversationItemsBody' },
);

export const ConversationResource = Type.Object(
  { id: Type.String(), object: Type.Literal('conversation'), created_at: Type.Integer(), metadata: Metadata },
  { title: 'ConversationResource' },
);

export const DeletedConversationResource = Type.Object(
  { id: Type.String(), object: Type.Literal('conversation.deleted'), deleted: Type.Boolean() },
  { title: 'DeletedConversationResource' },
);

/** An item as it goes out: the view builds it whole (conversation-view.ts), so it is passed through as is. */
export const ConversationItem = Type.Unsafe<Record<string, unknown>>(
  Type.Object(
    { id: Type.String(), type: Type.String() },
    {
      additionalProperties: true,
      title: 'ConversationItem',
      description: "Any item type of OpenAI's spec, as written.",
    },
  ),
);

export const ConversationItemList = Type.Object(
  {
    object: Type.Literal('list'),
    data: Type.Array(ConversationItem),
    first_id: Type.Union([Type.String(), Type.Null()]),
    last_id: Type.Union([Type.String(), Type.Null()]),
    has_more: Type.Boolean(),
  },
  { title: 'ConversationItemList' },
);

export const IncludeEnum = Type.Union(
  [
    'file_search_call.results',
    'web_search_call.results',
    'web_search_call.action.sources',
    'message.input_image.image_url',
    'computer_call_output.output.image_url',
    'code_interpreter_call.outputs',
    'reasoning.encrypted_content',
    'message.output_text.logprobs',
  ].map((value) => Type.Literal(value)),
  { title: 'IncludeEnum' },
);

/** `include[]=…` (both SDKs) or `include=…`, once or repeated; accepted and changing nothing here. */
const IncludeFields = {
  include: Type.Optional(Type.Array(IncludeEnum)),
  'include[]': Type.Optional(Type.Array(IncludeEnum)),
};

export const IncludeQuery = Type.Object(IncludeFields);

export const ListConversationItemsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' })),
  after: Type.Optional(Type.String()),
  ...IncludeFields,
});

export const ConversationParams = Type.Object({ conversation_id: ThreadIdParam('conv') });

export const ConversationItemParams = Type.Object({ conversation_id: ThreadIdParam('conv'), item_id: Type.String() });

export type CreateConversationBody = Static<typeof CreateConversationBody>;
