import { Type } from 'typebox';

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

export const ErrorObject = Type.Object({
  message: Type.String(),
  type: Type.String(),
  param: Type.Union([Type.String(), Type.Null()]),
  code: Type.Union([Type.String(), Type.Null()]),
});

export const ErrorResponse = Type.Object({ error: ErrorObject }, { title: 'ErrorResponse' });
