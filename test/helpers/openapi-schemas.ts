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

type Spec = {
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema> };
};

/**
 * The one documented deviation (CONTRACT.md, Lists): the spec types `first_id`/`last_id` as strings,
 * the hosted API sent `null` on an empty page, and so do we.
 */
function withNullableListEnds(lists: string[]) {
  return (schemas: Record<string, Schema>): Record<string, Schema> => {
    const copy = structuredClone(schemas);
    for (const name of lists) {
      for (const key of ['first_id', 'last_id']) {
        copy[name]!.properties[key] = { anyOf: [{ type: 'string' }, { type: 'null' }] };
      }
    }
    return copy;
  };
}

/**
 * OpenAPI 3.0's `nullable: true` (the runs spec still uses it) as JSON Schema: the schema or null. In
 * `allOf: [{$ref}, {nullable: true}]` it applies to the whole.
 */
function withNullables(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withNullables);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { nullable, ...rest } = schema as Schema;
  const out: Schema = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, withNullables(value)]));
  const parts: Schema[] | undefined = out.allOf;
  if (parts?.some((part) => part.nullable === true && Object.keys(part).length === 1)) {
    const kept = parts.filter((part) => part.nullable !== true);
    const { allOf: _allOf, ...others } = out;
    return { ...others, anyOf: [{ allOf: kept }, { type: 'null' }] };
  }
  if (out.allOf) out.allOf = out.allOf.filter((part: Schema) => Object.keys(part).length > 0);
  return nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

// strictTypes off: the spec leaves `type: object` out of some objects (ListMessagesResponse).
function createAjv(schemas: Record<string, Schema>): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
  addFormats(ajv);
  ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
  // `components` only holds the schemas that `#/components/schemas/…` refs point into.
  ajv.addVocabulary(['components', 'x-stainless-const', 'x-oaiMeta', 'x-oaiTypeLabel', 'example']);
  ajv.addSchema({ $id: 'openai', components: { schemas } });
  return ajv;
}

/** Validators for the component schemas of one of OpenAI's specs (a test fixture). */
export function specConformance(url: URL, lists: string[]) {
  const spec = parse(readFileSync(url, 'utf8')) as Spec;
  const ajv = createAjv(withNullableListEnds(lists)(withNullables(spec.components.schemas) as Record<string, Schema>));
  const validators = new Map<string, ValidateFunction>();

  function validatorFor(component: string): ValidateFunction {
    let validate = validators.get(component);
    if (!validate) {
      if (!spec.components.schemas[component]) throw new Error(`No component schema '${component}' in the spec`);
      validate = ajv.getSchema(`openai#/components/schemas/${component}`)!;
      validators.set(component, validate);
    }
    return validate;
  }

  /** Fails the test with ajv's errors when `body` is not a valid `component` of OpenAI's spec. */
  function expectConformsTo(component: string, body: unknown): void {
    const validate = validatorFor(component);
    const valid = validate(body);
    expect(valid ? [] : validate.errors, `${component} conformance`).toEqual([]);
  }

  return { spec, validatorFor, expectConformsTo };
}

const threadsSpec = specConformance(SPEC_URL, ['ListMessagesResponse']);

export const spec = threadsSpec.spec;
export const validatorFor = threadsSpec.validatorFor;
export const expectConformsTo = threadsSpec.expectConformsTo;

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
