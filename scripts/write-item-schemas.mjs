/**
 * `npm run item-schemas`: writes src/schemas/conversation-item-definitions.ts from OpenAI's Conversations
 * spec in test/fixtures. The runtime reads neither the fixture nor YAML: it imports the generated module.
 * The schemas are cut down to the keywords src/validation.ts compiles (annotations, defaults and
 * discriminator hints dropped; `oneOf` read as `anyOf`, `enum` as `const`s, `allOf` merged), and the
 * generator fails on any keyword it does not know, so a new spec cannot slip past the validator.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const SPEC = new URL('../test/fixtures/openai-conversations.openapi.yaml', import.meta.url);
const TARGET = new URL('../src/schemas/conversation-item-definitions.ts', import.meta.url);

// `format` goes too: item URLs are often `data:` URLs (screenshots, images), which no model here fetches.
const DROPPED = new Set([
  'description',
  'title',
  'default',
  'example',
  'examples',
  'discriminator',
  'deprecated',
  'format',
]);

export function renderItemSchemas(specText) {
  const spec = parse(specText);
  const schemas = spec.components.schemas;
  const commit = /commit ([0-9a-f]{40})/.exec(specText)?.[1];
  const nameOf = (ref) => ref.replace('#/components/schemas/', '');

  const typeOf = (schema) => {
    const merged = mergeAllOf(schema);
    const type = merged.properties?.type;
    if (!type) return undefined;
    const resolved = type.$ref ? schemas[nameOf(type.$ref)] : type;
    return resolved.enum?.[0] ?? resolved.anyOf?.find((b) => b.enum)?.enum[0];
  };
  function mergeAllOf(schema) {
    if (schema.$ref) return mergeAllOf(schemas[nameOf(schema.$ref)]);
    if (!schema.allOf) return schema;
    const { allOf, ...rest } = schema;
    const parts = [...allOf.map(mergeAllOf), rest];
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      required: [...new Set(parts.flatMap((p) => p.required ?? []))],
    };
  }
  const branchesOf = (union) =>
    schemas[union].oneOf.flatMap((branch) =>
      branch.$ref === '#/components/schemas/Item' ? schemas.Item.oneOf : [branch],
    );
  const byType = (union) => {
    const map = {};
    for (const branch of branchesOf(union)) {
      const type = typeOf(branch);
      if (type === undefined) throw new Error(`${union}: a branch without a type: ${JSON.stringify(branch)}`);
      if (type !== 'message') map[type] = nameOf(branch.$ref);
    }
    return map;
  };
  const requests = byType('InputItem');
  const answers = byType('ConversationItem');

  const definitions = {};
  const pending = [...Object.values(requests), ...Object.values(answers)];
  function normalize(schema, owner) {
    const out = {};
    for (const [key, value] of Object.entries(schema)) {
      if (DROPPED.has(key) || key.startsWith('x-')) continue;
      switch (key) {
        case '$ref':
          pending.push(nameOf(value));
          out.$ref = nameOf(value);
          break;
        case '$recursiveRef':
          if (value !== '#') throw new Error(`${owner}: $recursiveRef ${value}`);
          out.$ref = owner;
          break;
        case '$recursiveAnchor':
          break;
        case 'oneOf':
        case 'anyOf':
          out.anyOf = value.map((branch) => normalize(branch, owner));
          break;
        case 'allOf':
          return normalize(mergeAllOf(schema), owner);
        case 'enum':
          if (value.length === 1) out.const = value[0];
          else out.anyOf = value.map((v) => ({ const: v }));
          break;
        case 'properties':
          out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, owner)]));
          break;
        case 'items':
        case 'propertyNames':
          out[key] = normalize(value, owner);
          break;
        case 'additionalProperties':
          if (value === false) out.additionalProperties = false;
          else if (value !== true && Object.keys(normalize(value, owner)).length > 0)
            out.additionalProperties = normalize(value, owner);
          break;
        case 'type':
          if (typeof value !== 'string') throw new Error(`${owner}: type ${JSON.stringify(value)}`);
          out.type = value;
          break;
        case 'const':
        case 'required':
        case 'minItems':
        case 'maxItems':
        case 'minLength':
        case 'maxLength':
        case 'minimum':
        case 'maximum':
        case 'maxProperties':
        case 'pattern':
          out[key] = value;
          break;
        default:
          throw new Error(`${owner}: unsupported keyword '${key}'`);
      }
    }
    // `{type: string, enum: [...]}` keeps only the consts: the enum check also checks the JSON type.
    if (out.const !== undefined || out.anyOf?.every((b) => b.const !== undefined)) delete out.type;
    if (out.anyOf) out.anyOf = simplifyUnion(out.anyOf);
    // A required key the schema never declares is a slip of the spec (`request_id` beside
    // `approval_request_id`, `call_id` on local_shell_call_output, neither in OpenAI's SDKs): not required.
    if (out.required && out.properties) out.required = out.required.filter((key) => key in out.properties);
    return out;
  }
  while (pending.length > 0) {
    const name = pending.pop();
    if (definitions[name]) continue;
    definitions[name] = normalize(schemas[name], name);
  }
  // Every item this server stores gets an id when it comes without one (see
  // docs/behaviour.md#conversation-items-other-than-messages): only the reference's id, which names another
  // item, stays required. Answers are checked before the store gives the id, so their schemas drop it too.
  for (const [type, name] of [...Object.entries(requests), ...Object.entries(answers)]) {
    const required = definitions[name].required;
    if (type !== 'item_reference' && required) definitions[name].required = required.filter((key) => key !== 'id');
  }
  const sorted = Object.fromEntries(
    Object.keys(definitions)
      .sort()
      .map((name) => [name, definitions[name]]),
  );

  // What the answer schema of each type requires beyond the request schema: completion fills it, at the
  // top and one object down (a shell call's `action`).
  const resolveObject = (schema) => {
    const resolved = schema?.$ref ? mergeAllOf(schema) : schema;
    return resolved?.type === 'object' && resolved.properties ? resolved : undefined;
  };
  const completions = {};
  const nestedCompletions = {};
  for (const [type, answerName] of Object.entries(answers)) {
    const answer = mergeAllOf(schemas[answerName]);
    const request = mergeAllOf(schemas[requests[type]]);
    const fills = fillsOf(answer, request, answerName);
    if (Object.keys(fills).length > 0) completions[type] = fills;
    const nested = {};
    for (const [key, property] of Object.entries(answer.properties)) {
      const [inAnswer, inRequest] = [resolveObject(property), resolveObject(request.properties?.[key])];
      if (!inAnswer || !inRequest || inAnswer === inRequest) continue;
      const inner = fillsOf(inAnswer, inRequest, `${answerName}.${key}`);
      if (Object.keys(inner).length > 0) nested[key] = inner;
    }
    if (Object.keys(nested).length > 0) nestedCompletions[type] = nested;
  }

  function fillsOf(answer, request, answerName) {
    const fills = {};
    for (const key of answer.required ?? []) {
      if (key === 'id' || key === 'type') continue;
      const requiredInRequest = (request.required ?? []).includes(key);
      if (requiredInRequest && key !== 'status') continue;
      const property = answer.properties[key];
      if (!property) continue;
      const resolved = property.$ref ? schemas[nameOf(property.$ref)] : property;
      const nullable = resolved.anyOf?.some((b) => b.type === 'null');
      if (key === 'status') {
        const values =
          resolved.enum ?? resolved.anyOf?.flatMap((b) => (b.$ref ? schemas[nameOf(b.$ref)].enum : b.enum) ?? []);
        if (!values?.includes('completed')) throw new Error(`${answerName}: status without 'completed'`);
        fills.status = 'completed';
      } else if (nullable) {
        fills[key] = null;
      } else if (key in DECIDED_FILLS) {
        fills[key] = DECIDED_FILLS[key];
      } else {
        throw new Error(`${answerName}: no rule completes required '${key}'`);
      }
    }
    return fills;
  }

  const json = (value) => JSON.stringify(value, null, 2);
  return `/*
 * Generated by \`npm run item-schemas\` (scripts/write-item-schemas.mjs): do not edit.
 * From OpenAI's openapi.yaml (github.com/openai/openai-openapi, commit ${commit}; MIT, Copyright (c) OpenAI),
 * vendored as test/fixtures/openai-conversations.openapi.yaml: the request schema of every non-message item
 * type of \`InputItem\` and what each type's \`ConversationItem\` answer schema requires beyond it.
 */

type JsonSchema = Record<string, unknown>;

/** Each non-message item type and the definition that validates it in a request. */
export const REQUEST_SCHEMA_OF_TYPE: Readonly<Record<string, string>> = ${json(Object.fromEntries(Object.entries(requests).sort()))};

/** Item types the spec answers with: a type missing here (\`item_reference\`, \`compaction_trigger\`) is never stored as written. */
export const ANSWER_SCHEMA_OF_TYPE: Readonly<Record<string, string>> = ${json(Object.fromEntries(Object.entries(answers).sort()))};

/** Fields the answer schema requires and a request may leave out (or null), with the value an answer shows. */
export const ANSWER_FILLS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = ${json(completions)};

/** The same, for an object property of the item: \`{ type: { property: { field: value } } }\`. */
export const NESTED_ANSWER_FILLS: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>> = ${json(nestedCompletions)};

export const DEFINITIONS: Readonly<Record<string, JsonSchema>> = {
${Object.entries(sorted)
  .map(([name, schema]) => `  ${JSON.stringify(name)}: ${JSON.stringify(schema)},`)
  .join('\n')}
};
`;
}

/**
 * Nested unions are flattened, and string values beside a plain string (`string | 'gpt-image-1' | …`, the
 * spec's open enums) are dropped: any string is accepted.
 */
function simplifyUnion(branches) {
  const flat = branches.flatMap((b) => (Object.keys(b).length === 1 && b.anyOf ? b.anyOf : [b]));
  const plainString = flat.some((b) => Object.keys(b).length === 1 && b.type === 'string');
  return plainString ? flat.filter((b) => typeof b.const !== 'string') : flat;
}

/**
 * Required answer fields that are neither a status nor nullable: what a stored item shows (see
 * docs/behaviour.md#conversation-items-other-than-messages).
 */
const DECIDED_FILLS = { execution: 'client' };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(TARGET, renderItemSchemas(readFileSync(SPEC, 'utf8')));
  console.log(`wrote ${fileURLToPath(TARGET)}`);
}
