/*
 * Route schemas stay inline (our validator and fast-json-stringify read them as plain JSON Schema), so the
 * generated document would repeat every shape in place. Each schema carrying a `title` (OpenAI's component
 * name: MessageObject, CreateMessageRequest, …) is moved to `components.schemas` and replaced by a `$ref`.
 */

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (value: Json): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function hoist(value: Json, components: JsonObject): Json {
  if (Array.isArray(value)) return value.map((entry) => hoist(entry, components));
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  for (const [key, entry] of Object.entries(value)) copy[key] = hoist(entry, components);
  const name = copy.title;
  if (typeof name !== 'string') return copy;
  const existing = components[name];
  if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(copy)) {
    throw new Error(`openapi: two different schemas are titled '${name}'`);
  }
  components[name] = copy;
  return { $ref: `#/components/schemas/${name}` };
}

/** Moves every titled schema under `paths` into `components.schemas`, sorted by name. */
export function nameComponents<T extends { paths?: Json; components?: { schemas?: JsonObject } }>(document: T): T {
  const found: JsonObject = { ...document.components?.schemas };
  const paths = hoist(document.paths ?? {}, found);
  const schemas = Object.fromEntries(Object.entries(found).sort(([a], [b]) => a.localeCompare(b)));
  return { ...document, paths, components: { ...document.components, schemas } } as T;
}
