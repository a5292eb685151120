import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { parse } from 'yaml';

/*
 * Validates response bodies against the component schemas of OpenAI's own spec (the test fixture),
 * so a success shape is checked by the official definition, not by our own schemas.
 */

const SPEC_URL = new URL('../fixtures/openai-threads-messages.openapi.yaml', import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Schema = Record<string, any>;

export const spec = parse(readFileSync(SPEC_URL, 'utf8')) as {
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema> };
};

/**
 * The one documented deviation (CONTRACT.md, Lists): the spec types `first_id`/`last_id` as strings,
 * the hosted API sent `null` on an empty page, and so do we.
 */
function withDocumentedDeviations(schemas: Record<string, Schema>): Record<string, Schema> {
  const copy = structuredClone(schemas);
  const list = copy.ListMessagesResponse!;
  for (const key of ['first_id', 'last_id']) {
    list.properties[key] = { anyOf: [{ type: 'string' }, { type: 'null' }] };
  }
  return copy;
}

// strictTypes off: the spec leaves `type: object` out of some objects (ListMessagesResponse).
function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
  addFormats(ajv);
  ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
  // `components` only holds the schemas that `#/components/schemas/…` refs point into.
  ajv.addVocabulary(['components', 'x-stainless-const', 'x-oaiMeta', 'x-oaiTypeLabel', 'example']);
  ajv.addSchema({
    $id: 'openai',
    components: { schemas: withDocumentedDeviations(spec.components.schemas) },
  });
  return ajv;
}

const ajv = createAjv();
const validators = new Map<string, ValidateFunction>();

export function validatorFor(component: string): ValidateFunction {
  let validate = validators.get(component);
  if (!validate) {
    if (!spec.components.schemas[component]) throw new Error(`No component schema '${component}' in the spec`);
    validate = ajv.getSchema(`openai#/components/schemas/${component}`)!;
    validators.set(component, validate);
  }
  return validate;
}

/** Fails the test with ajv's errors when `body` is not a valid `component` of OpenAI's spec. */
export function expectConformsTo(component: string, body: unknown): void {
  const validate = validatorFor(component);
  const valid = validate(body);
  expect(valid ? [] : validate.errors, `${component} conformance`).toEqual([]);
}

/** The component schema that an operation's 200 response refers to, by operationId. */
export function responseComponentOf(operationId: string): string {
  for (const operations of Object.values(spec.paths)) {
    for (const operation of Object.values(operations)) {
      if (operation.operationId !== operationId) continue;
      const ref: string = operation.responses['200'].content['application/json'].schema.$ref;
      return ref.replace('#/components/schemas/', '');
    }
  }
  throw new Error(`No operation '${operationId}' in the spec`);
}
