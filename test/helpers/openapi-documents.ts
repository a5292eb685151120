import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export type OpenApiDocument = {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; responses?: Record<string, unknown> };
};
export type OpenApiOperation = {
  operationId: string;
  tags?: string[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
  'x-oaiMeta'?: { examples?: unknown };
};

/** OpenAI's own definition of the 9 operations, as committed in the fixtures. */
export function loadOfficialDocument(): OpenApiDocument {
  return parse(readFileSync(new URL('../fixtures/openai-threads-messages.openapi.yaml', import.meta.url), 'utf8'));
}

export function operationsOf(
  document: OpenApiDocument,
): Map<string, OpenApiOperation & { method: string; path: string }> {
  const found = new Map<string, OpenApiOperation & { method: string; path: string }>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods))
      found.set(operation.operationId, { ...operation, method, path });
  }
  return found;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/**
 * Ajv (JSON Schema 2020-12, which OpenAPI 3.1 uses) over a whole OpenAPI document, so `$ref`s into
 * its components resolve. Non-schema keywords (`example`, `x-…`) are ignored, not errors.
 */
export class DocumentValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly operations: ReturnType<typeof operationsOf>;

  constructor(
    private readonly name: string,
    document: OpenApiDocument,
  ) {
    addFormats.default(this.ajv);
    this.ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addSchema(document, name);
    this.operations = operationsOf(document);
  }

  private operation(operationId: string) {
    const operation = this.operations.get(operationId);
    if (!operation) throw new Error(`${this.name}: no operation ${operationId}`);
    return operation;
  }

  /**
   * Errors of `body` against the response schema of `operationId` for `status` and `mediaType` (null when it
   * conforms); for `text/event-stream`, `body` is one event, `{ event, data }`.
   */
  response(operationId: string, status: number, body: unknown, mediaType = 'application/json'): ErrorObject[] | null {
    const { method, path, responses } = this.operation(operationId);
    const response = responses[String(status)];
    if (!response) throw new Error(`${this.name}: ${operationId} declares no ${status} response`);
    if (!response.$ref && !response.content?.[mediaType])
      throw new Error(`${this.name}: ${operationId} ${status} declares no ${mediaType} content`);
    const ref = response.$ref
      ? `${this.name}${response.$ref}/${pointer('content', mediaType, 'schema')}`
      : `${this.name}#/${pointer('paths', path, method, 'responses', String(status), 'content', mediaType, 'schema')}`;
    return this.check(ref, body);
  }

  /** Errors of `body` against the request body schema of `operationId` (null when it conforms). */
  request(operationId: string, body: unknown): ErrorObject[] | null {
    const { method, path } = this.operation(operationId);
    return this.check(
      `${this.name}#/${pointer('paths', path, method, 'requestBody', 'content', 'application/json', 'schema')}`,
      body,
    );
  }

  private readonly compiled = new Map<string, ValidateFunction>();

  private check(ref: string, value: unknown): ErrorObject[] | null {
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    return validate(value) ? null : (validate.errors ?? []);
  }
}
