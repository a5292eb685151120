import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { parse } from 'yaml';

/* Response bodies checked against the component schemas of OpenAI's Conversations spec (the test fixture). */

const SPEC_URL = new URL('../fixtures/openai-conversations.openapi.yaml', import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Schema = Record<string, any>;

const spec = parse(readFileSync(SPEC_URL, 'utf8')) as { components: { schemas: Record<string, Schema> } };

/** As for messages (CONTRACT.md, Lists): `first_id`/`last_id` are null on an empty page. */
function withDocumentedDeviations(schemas: Record<string, Schema>): Record<string, Schema> {
  const copy = structuredClone(schemas);
  for (const key of ['first_id', 'last_id'])
    copy.ConversationItemList!.properties[key] = { anyOf: [{ type: 'string' }, { type: 'null' }] };
  return copy;
}

// Not strict: the spec uses `discriminator` without Ajv's restrictions and leaves types out in places.
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
ajv.addSchema({
  $id: 'openai-conversations',
  components: { schemas: withDocumentedDeviations(spec.components.schemas) },
});

const validators = new Map<string, ValidateFunction>();

/** Fails the test with ajv's errors when `body` is not a valid `component` of OpenAI's Conversations spec. */
export function expectConversationConformsTo(component: string, body: unknown): void {
  let validate = validators.get(component);
  if (!validate) {
    if (!spec.components.schemas[component]) throw new Error(`No component schema '${component}' in the spec`);
    validate = ajv.getSchema(`openai-conversations#/components/schemas/${component}`)!;
    validators.set(component, validate);
  }
  const valid = validate(body);
  expect(valid ? [] : validate.errors, `${component} conformance`).toEqual([]);
}
