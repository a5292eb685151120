import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { parse } from 'yaml';

/* Response bodies checked against the component schemas of OpenAI's Assistants and Runs spec (the test fixture). */

const SPEC_URL = new URL('../fixtures/openai-assistants-runs.openapi.yaml', import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Schema = Record<string, any>;

export const assistantsSpec = parse(readFileSync(SPEC_URL, 'utf8')) as {
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema> };
};

/** As for messages (CONTRACT.md, Lists): `first_id`/`last_id` are null on an empty page. */
function withDocumentedDeviations(schemas: Record<string, Schema>): Record<string, Schema> {
  const copy = structuredClone(schemas);
  for (const list of ['ListAssistantsResponse', 'ListRunsResponse', 'ListRunStepsResponse']) {
    for (const key of ['first_id', 'last_id'])
      copy[list]!.properties[key] = { anyOf: [{ type: 'string' }, { type: 'null' }] };
  }
  return copy;
}

// Not strict: the spec leaves types out in places and carries its own `x-` keywords.
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
ajv.addSchema({
  $id: 'openai-assistants',
  components: { schemas: withDocumentedDeviations(assistantsSpec.components.schemas) },
});

const validators = new Map<string, ValidateFunction>();

export function assistantsValidatorFor(component: string): ValidateFunction {
  let validate = validators.get(component);
  if (!validate) {
    if (!assistantsSpec.components.schemas[component])
      throw new Error(`No component schema '${component}' in the spec`);
    validate = ajv.getSchema(`openai-assistants#/components/schemas/${component}`)!;
    validators.set(component, validate);
  }
  return validate;
}

/** Fails the test with ajv's errors when `body` is not a valid `component` of OpenAI's Assistants and Runs spec. */
export function expectAssistantsConformsTo(component: string, body: unknown): void {
  const validate = assistantsValidatorFor(component);
  const valid = validate(body);
  expect(valid ? [] : validate.errors, `${component} conformance`).toEqual([]);
}

/** The component schema that an operation's 200 response refers to, by operationId. */
export function assistantsResponseComponentOf(operationId: string): string {
  for (const operations of Object.values(assistantsSpec.paths)) {
    for (const operation of Object.values(operations)) {
      if (operation.operationId !== operationId) continue;
      return (operation.responses['200'].content['application/json'].schema.$ref as string).replace(
        '#/components/schemas/',
        '',
      );
    }
  }
  throw new Error(`No operation '${operationId}' in the spec`);
}
