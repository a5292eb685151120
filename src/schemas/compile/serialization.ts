import fastJson from 'fast-json-stringify';

// biome-ignore lint/suspicious/noExplicitAny: a JSON Schema holds any JSON value
type JsonSchema = Record<string, any>;

/**
 * The response schemas rewritten into an equivalent that fast-json-stringify turns into straight-line
 * code. Given a union (`anyOf`) it emits an Ajv check per branch per value, hundreds per page of
 * messages; a union of string constants becomes a string, and `X | null` of one typed `X` becomes
 * `type: [X's type, 'null']`. Valid responses serialise to the same bytes; the published schemas
 * (OpenAPI) keep their unions, as this copy only feeds the serializer.
 */
export function forSerialization(schema: JsonSchema): JsonSchema {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const out: JsonSchema = { ...schema };
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([key, value]) => [key, forSerialization(value as JsonSchema)]),
    );
  }
  if (out.items) out.items = forSerialization(out.items);
  if (typeof out.additionalProperties === 'object')
    out.additionalProperties = forSerialization(out.additionalProperties);
  if (!Array.isArray(out.anyOf)) return out;

  const branches: JsonSchema[] = out.anyOf.map(forSerialization);
  const { anyOf: _union, ...rest } = out;
  if (branches.every((branch) => typeof branch.const === 'string')) return { ...rest, type: 'string' };
  const typed = branches.filter((branch) => branch.type !== 'null');
  if (branches.length === 2 && typed.length === 1 && typeof typed[0]!.type === 'string') {
    return { ...rest, ...typed[0], type: [typed[0]!.type, 'null'] };
  }
  return { ...out, anyOf: branches };
}

const compiled = new WeakMap<object, (data: unknown) => string>();

/** A `text/event-stream` answer is a stream body, which Fastify sends as it is: its schema only documents the events. */
function streamedAsIs(): string {
  throw new Error('a text/event-stream answer is sent as a stream, never serialised');
}

/**
 * Fastify's serializer compiler: fast-json-stringify on the rewritten schema, compiled once per schema
 * object, so the routes mounted under every API prefix share their serializers and start-up compiles half.
 */
export function compileSerializer(schema: JsonSchema, contentType?: string): (data: unknown) => string {
  if (contentType === 'text/event-stream') return streamedAsIs;
  let serialize = compiled.get(schema);
  if (!serialize) {
    serialize = fastJson(forSerialization(schema));
    compiled.set(schema, serialize);
  }
  return serialize;
}
