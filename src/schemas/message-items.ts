import { Type, type Static } from 'typebox';
import { MAX_TEXT_LENGTH } from './messages.js';

/*
 * Message items of the Conversations API as a request sends them: the spec's EasyInputMessage,
 * InputMessage and OutputMessage in one schema, checked field by field with the thread routes' errors.
 */

const closed = { additionalProperties: false } as const;

/** Fields of a part the spec defines for caching hints: kept as given. */
const PromptCacheBreakpoint = Type.Optional(Type.Object({}, { additionalProperties: true }));

const InputTextContent = Type.Object(
  {
    type: Type.Literal('input_text'),
    text: Type.String({ maxLength: MAX_TEXT_LENGTH }),
    prompt_cache_breakpoint: PromptCacheBreakpoint,
  },
  { ...closed, title: 'InputTextContent' },
);

const OutputTextContent = Type.Object(
  {
    type: Type.Literal('output_text'),
    text: Type.String({ maxLength: MAX_TEXT_LENGTH }),
    annotations: Type.Optional(Type.Array(Type.Object({ type: Type.String() }, { additionalProperties: true }))),
    logprobs: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  },
  { ...closed, title: 'OutputTextContent' },
);

const ImageDetail = Type.Union([
  Type.Literal('low'),
  Type.Literal('high'),
  Type.Literal('auto'),
  Type.Literal('original'),
]);

const InputImageContent = Type.Object(
  {
    type: Type.Literal('input_image'),
    image_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    file_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    detail: Type.Optional(ImageDetail),
    prompt_cache_breakpoint: PromptCacheBreakpoint,
  },
  { ...closed, title: 'InputImageContent' },
);

const InputFileContent = Type.Object(
  {
    type: Type.Literal('input_file'),
    file_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    filename: Type.Optional(Type.String()),
    file_data: Type.Optional(Type.String()),
    file_url: Type.Optional(Type.String()),
    detail: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('high')])),
    prompt_cache_breakpoint: PromptCacheBreakpoint,
  },
  { ...closed, title: 'InputFileContent' },
);

const RefusalContent = Type.Object(
  { type: Type.Literal('refusal'), refusal: Type.String({ maxLength: MAX_TEXT_LENGTH }) },
  { ...closed, title: 'RefusalContent' },
);

export const MESSAGE_ITEM_ROLES = ['user', 'assistant', 'system', 'developer'] as const;

export const MessageItemInput = Type.Object(
  {
    type: Type.Optional(Type.Literal('message')),
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    role: Type.Union(MESSAGE_ITEM_ROLES.map((role) => Type.Literal(role))),
    content: Type.Union([
      Type.String({ maxLength: MAX_TEXT_LENGTH }),
      Type.Array(
        Type.Union([InputTextContent, OutputTextContent, InputImageContent, InputFileContent, RefusalContent]),
      ),
    ]),
    status: Type.Optional(
      Type.Union([Type.Literal('in_progress'), Type.Literal('completed'), Type.Literal('incomplete')]),
    ),
    phase: Type.Optional(Type.Union([Type.Literal('commentary'), Type.Literal('final_answer'), Type.Null()])),
  },
  { ...closed, title: 'EasyInputMessage' },
);

export type MessageItemInput = Static<typeof MessageItemInput>;
