import { Type, type TSchema } from 'typebox';

/** Key-value pairs on threads and messages: at most 16, keys up to 64 and values up to 512 characters. */
export const Metadata = Type.Unsafe<Record<string, string>>(
  Type.Object(
    {},
    {
      additionalProperties: Type.String({ maxLength: 512 }),
      maxProperties: 16,
      propertyNames: { maxLength: 64 },
      description: 'Set of 16 key-value pairs; keys up to 64 characters, values up to 512 characters.',
    },
  ),
);

export const NullableMetadata = Type.Union([Metadata, Type.Null()]);

/** An id path parameter: the validator answers OpenAI's "Expected an ID that begins with …" error. */
export const IdParam = (prefix: string) => Type.String({ pattern: `^${prefix}`, 'x-id-prefix': prefix });

/**
 * The id of a thread, which is a conversation: either API takes either prefix, and its error names its own.
 */
export const ThreadIdParam = (named: 'thread' | 'conv') =>
  Type.String({ pattern: '^(thread|conv)', 'x-id-prefix': named, 'x-id-accepts': ['thread', 'conv'] });

export const ErrorObject = Type.Object({
  message: Type.String(),
  type: Type.String(),
  param: Type.Union([Type.String(), Type.Null()]),
  code: Type.Union([Type.String(), Type.Null()]),
});

export const ErrorResponse = Type.Object({ error: ErrorObject }, { title: 'ErrorResponse' });

/** The paging parameters every list takes. */
export const PageQueryFields = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' })),
  after: Type.Optional(Type.String()),
  before: Type.Optional(Type.String()),
};

/** A page of a list: `first_id`/`last_id` are null on an empty page, as the hosted API answered. */
export const ListResponse = <Item extends TSchema>(item: Item, title: string) =>
  Type.Object(
    {
      object: Type.Literal('list'),
      data: Type.Array(item),
      first_id: Type.Union([Type.String(), Type.Null()]),
      last_id: Type.Union([Type.String(), Type.Null()]),
      has_more: Type.Boolean(),
    },
    { title },
  );
