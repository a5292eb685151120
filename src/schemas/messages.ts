import { Type, type Static } from 'typebox';
import { IdParam, ThreadIdParam, ListResponse, Metadata, NullableMetadata, PageQueryFields } from './common.js';

const closed = { additionalProperties: false } as const;

/** Text length limit per text, in Unicode code points (the documented v1 limit). */
export const MAX_TEXT_LENGTH = 256_000;

const Detail = Type.Union([Type.Literal('auto'), Type.Literal('low'), Type.Literal('high')]);
const Role = Type.Union([Type.Literal('user'), Type.Literal('assistant')]);

export const MessageContentImageFileObject = Type.Object(
  {
    type: Type.Literal('image_file'),
    image_file: Type.Object({ file_id: Type.String(), detail: Type.Optional(Detail) }, closed),
  },
  { ...closed, title: 'MessageContentImageFileObject' },
);

export const MessageContentImageUrlObject = Type.Object(
  {
    type: Type.Literal('image_url'),
    image_url: Type.Object({ url: Type.String({ format: 'uri' }), detail: Type.Optional(Detail) }, closed),
  },
  { ...closed, title: 'MessageContentImageUrlObject' },
);

export const MessageRequestContentTextObject = Type.Object(
  { type: Type.Literal('text'), text: Type.String({ maxLength: MAX_TEXT_LENGTH }) },
  { ...closed, title: 'MessageRequestContentTextObject' },
);

const Tool = Type.Union([
  Type.Object({ type: Type.Literal('code_interpreter') }, closed),
  Type.Object({ type: Type.Literal('file_search') }, closed),
]);

const Attachment = Type.Object({ file_id: Type.String(), tools: Type.Array(Tool) }, closed);

export const CreateMessageRequest = Type.Object(
  {
    role: Role,
    content: Type.Union([
      Type.String({ minLength: 1, maxLength: MAX_TEXT_LENGTH }),
      Type.Array(
        Type.Union([MessageContentImageFileObject, MessageContentImageUrlObject, MessageRequestContentTextObject]),
        { minItems: 1 },
      ),
    ]),
    attachments: Type.Optional(Type.Union([Type.Array(Attachment), Type.Null()])),
    metadata: Type.Optional(NullableMetadata),
  },
  { ...closed, title: 'CreateMessageRequest' },
);

export const ModifyMessageRequest = Type.Object(
  { metadata: Type.Optional(NullableMetadata) },
  { ...closed, title: 'ModifyMessageRequest' },
);

const Annotation = Type.Object({
  type: Type.String(),
  text: Type.String(),
  start_index: Type.Integer(),
  end_index: Type.Integer(),
  file_citation: Type.Optional(Type.Object({ file_id: Type.String() })),
  file_path: Type.Optional(Type.Object({ file_id: Type.String() })),
});

/**
 * A content part as it goes out. One object shape with optional members instead of a union:
 * the serializer then needs no schema matching per part, and each stored part only has its own members.
 */
const ContentPart = Type.Object({
  type: Type.String(),
  text: Type.Optional(Type.Object({ value: Type.String(), annotations: Type.Array(Annotation) })),
  image_file: Type.Optional(Type.Object({ file_id: Type.String(), detail: Type.String() })),
  image_url: Type.Optional(Type.Object({ url: Type.String(), detail: Type.String() })),
  refusal: Type.Optional(Type.String()),
});

export const MessageObject = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('thread.message'),
    created_at: Type.Integer(),
    thread_id: Type.String(),
    status: Type.Union([Type.Literal('in_progress'), Type.Literal('incomplete'), Type.Literal('completed')]),
    incomplete_details: Type.Union([Type.Object({ reason: Type.String() }), Type.Null()]),
    completed_at: Type.Union([Type.Integer(), Type.Null()]),
    incomplete_at: Type.Union([Type.Integer(), Type.Null()]),
    role: Role,
    content: Type.Array(ContentPart),
    assistant_id: Type.Union([Type.String(), Type.Null()]),
    run_id: Type.Union([Type.String(), Type.Null()]),
    attachments: Type.Array(
      Type.Object({ file_id: Type.String(), tools: Type.Array(Type.Object({ type: Type.String() })) }),
    ),
    metadata: Metadata,
  },
  { title: 'MessageObject' },
);

export const ListMessagesResponse = ListResponse(MessageObject, 'ListMessagesResponse');

export const DeleteMessageResponse = Type.Object(
  { id: Type.String(), object: Type.Literal('thread.message.deleted'), deleted: Type.Boolean() },
  { title: 'DeleteMessageResponse' },
);

export const MessageParams = Type.Object({ thread_id: ThreadIdParam('thread'), message_id: IdParam('msg') });

export const ListMessagesQuery = Type.Object({ ...PageQueryFields, run_id: Type.Optional(Type.String()) });

export type CreateMessageRequest = Static<typeof CreateMessageRequest>;
export type MessageObject = Static<typeof MessageObject>;
export type ContentPart = Static<typeof ContentPart>;
export type ListMessagesQuery = Static<typeof ListMessagesQuery>;
export type ListMessagesResponse = Static<typeof ListMessagesResponse>;
