import {
  type ApiError,
  arrayTooLong,
  decimalAboveMax,
  decimalBelowMin,
  emptyArray,
  integerAboveMax,
  integerBelowMin,
  invalidEnumValue,
  invalidIdPrefix,
  invalidType,
  invalidUrl,
  missingParameter,
  patternMismatch,
  propertyNameTooLong,
  stringTooLong,
  stringTooShort,
  tooManyProperties,
  typeWord,
  jsonTypeOf,
  unknownParameter,
} from './errors.js';

/*
 * Compiles the TypeBox (JSON Schema) route schemas into validators that answer the way OpenAI's API did:
 * one error, with OpenAI's message, param path and code. Ajv reports every failed branch of a union and
 * checks `required` before unknown keys, so its errors cannot be mapped back to OpenAI's one-error answers
 * reliably; walking the small keyword subset our schemas use gives exact answers and still compiles once.
 */

// biome-ignore lint/suspicious/noExplicitAny: a JSON Schema holds any JSON value
type JsonSchema = Record<string, any>;

/** Gathers the first error of each kind: an unknown parameter answers before a missing one, then the rest. */
class Faults {
  unknown?: ApiError;
  missing?: ApiError;
  other?: ApiError;

  add(error: ApiError): void {
    if (error.code === 'unknown_parameter') this.unknown ??= error;
    else if (error.code === 'missing_required_parameter') this.missing ??= error;
    else this.other ??= error;
  }

  first(): ApiError | undefined {
    return this.unknown ?? this.missing ?? this.other;
  }
}

/**
 * Where a value sits, spelled out (`items[3].output[7].text`) only when an error names it: a check gets its
 * value's parent place and key, so the many values that pass (every part of a 50,000-part item) cost no
 * string. A place is the root's path (`''` for a body, `items[3]`) or a step below another place.
 */
type Place = string | { readonly parent: Place; readonly key: Key };
type Key = string | number | undefined;
type Check = (value: unknown, parent: Place, key: Key, faults: Faults) => unknown;

export interface CompileOptions {
  /** Query strings and path parameters arrive as text: read integers out of them. */
  coerceStrings: boolean;
  /** What `{ $ref: name }` names (the spec's component schemas); each compiles once, recursion included. */
  definitions?: Readonly<Record<string, JsonSchema>>;
}

/** The compiled definitions of one `definitions` map, shared by every validator compiled over it. */
const compiledRefs = new WeakMap<object, Map<string, Check>>();

export type ValidationResult = { value: unknown } | { error: ApiError };

/** The validator's `path` names the value in its errors (`items[3]`); a body is the empty path. */
export function compileValidator(
  schema: JsonSchema,
  options: CompileOptions,
): (data: unknown, path?: string) => ValidationResult {
  const check = compile(schema, options);
  return (data, path = '') => {
    const faults = new Faults();
    const value = check(data, path, undefined, faults);
    const error = faults.first();
    return error ? { error } : { value };
  };
}

const child = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
const paramOf = (path: string) => (path === '' ? null : path);

/** The param path of the value under `key` of `parent` (`parent` itself when there is no key). */
function pathOf(parent: Place, key: Key): string {
  const base = typeof parent === 'string' ? parent : pathOf(parent.parent, parent.key);
  if (key === undefined) return base;
  return typeof key === 'number' ? `${base}[${key}]` : child(base, key);
}

/** The place of a container's own value, for its children to name themselves under. */
const placeOf = (parent: Place, key: Key): Place => (key === undefined ? parent : { parent, key });

/** Code points, not UTF-16 units: a surrogate pair counts once. */
export function codePointLength(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return text.length - pairs;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAbsoluteHttpUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text)) return false;
  try {
    return new URL(text).hostname !== '';
  } catch {
    return false;
  }
}

function resolve(schema: JsonSchema, options: CompileOptions): JsonSchema {
  if (schema.$ref === undefined) return schema;
  const target = options.definitions?.[schema.$ref];
  if (!target) throw new Error(`compileValidator: unknown $ref ${schema.$ref}`);
  return resolve(target, options);
}

function compileRef(name: string, options: CompileOptions): Check {
  const definitions = options.definitions ?? {};
  let cache = compiledRefs.get(definitions);
  if (!cache) {
    cache = new Map();
    compiledRefs.set(definitions, cache);
  }
  const known = cache.get(name);
  if (known) return known;
  // A recursive definition meets itself while compiling: it calls through the slot filled just after.
  let compiled: Check | undefined;
  cache.set(name, (value, parent, key, faults) => compiled!(value, parent, key, faults));
  compiled = compile(resolve({ $ref: name }, options), options);
  cache.set(name, compiled);
  return compiled;
}

function compile(schema: JsonSchema, options: CompileOptions): Check {
  if (schema.$ref !== undefined) return compileRef(schema.$ref, options);
  if (schema.anyOf) return compileUnion(schema.anyOf, options);
  if (schema.const !== undefined) return compileEnum([schema.const]);
  if (Object.keys(schema).length === 0) return (value) => value;
  switch (schema.type) {
    case 'object':
      return compileObject(schema, options);
    case 'array':
      return compileArray(schema, options);
    case 'string':
      return compileString(schema);
    case 'integer':
    case 'number':
      return compileNumber(schema, options);
    case 'boolean':
    case 'null':
      return (value, parent, key, faults) => {
        if (jsonTypeOf(value) !== schema.type) {
          faults.add(invalidType(paramOf(pathOf(parent, key)), typeWord(schema.type), value));
        }
        return value;
      };
    default:
      throw new Error(`compileValidator: unsupported schema ${JSON.stringify(schema)}`);
  }
}

function compileEnum(allowed: unknown[]): Check {
  const set = new Set(allowed);
  const expected = typeWord(jsonTypeOf(allowed[0]));
  return (value, parent, key, faults) => {
    if (typeof value !== typeof allowed[0]) faults.add(invalidType(paramOf(pathOf(parent, key)), expected, value));
    else if (!set.has(value)) faults.add(invalidEnumValue(pathOf(parent, key), value, allowed));
    return value;
  };
}

/** The `type` values an object branch takes (`const` or a union of them), or undefined. */
function discriminatorsOf(branch: JsonSchema): unknown[] | undefined {
  if (branch.type !== 'object') return undefined;
  const type: JsonSchema | undefined = branch.properties?.type;
  if (type?.const !== undefined) return [type.const];
  const values = type?.anyOf?.map((b: JsonSchema) => b.const);
  return values?.length && values.every((v: unknown) => v !== undefined) ? values : undefined;
}

/** The JSON type a branch accepts, a `const` counting as its value's type. */
function jsonTypeOfBranch(branch: JsonSchema): string | undefined {
  if (branch.const !== undefined) return jsonTypeOf(branch.const) === 'integer' ? 'number' : jsonTypeOf(branch.const);
  return branch.type;
}

function compileUnion(unresolved: JsonSchema[], options: CompileOptions): Check {
  // Branches are read through their $refs but compiled by ref, so that recursive definitions terminate.
  const branches = unresolved.map((b) => resolve(b, options));
  if (branches.every((b) => b.const !== undefined)) return compileEnum(branches.map((b) => b.const));

  const nonNullRefs = unresolved.filter((_, i) => branches[i]!.type !== 'null');
  const nonNull = nonNullRefs.map((b) => resolve(b, options));
  if (nonNull.length === 1) {
    const check = compile(nonNullRefs[0]!, options);
    return (value, parent, key, faults) => (value === null ? null : check(value, parent, key, faults));
  }
  if (nonNull.every((b) => b.const !== undefined)) {
    const check = compileEnum(nonNull.map((b) => b.const));
    return (value, parent, key, faults) => (value === null ? null : check(value, parent, key, faults));
  }

  const discriminators = nonNull.map(discriminatorsOf);
  const values = discriminators.flat();
  if (discriminators.every((d) => d !== undefined) && new Set(values).size === values.length) {
    const byType = new Map(
      nonNullRefs.flatMap((b, i) => {
        const check = compile(b, options);
        return discriminators[i]!.map((type) => [type, check] as const);
      }),
    );
    const allowed = [...byType.keys()];
    const nullable = nonNull.length < branches.length;
    return (value, parent, key, faults) => {
      if (value === null && nullable) return value;
      if (!isPlainObject(value)) {
        faults.add(invalidType(paramOf(pathOf(parent, key)), 'an object', value));
        return value;
      }
      const type = value.type;
      const check = byType.get(type);
      if (check) return check(value, parent, key, faults);
      const typePath = child(pathOf(parent, key), 'type');
      if (type === undefined) faults.add(missingParameter(typePath));
      else if (typeof type !== 'string') faults.add(invalidType(typePath, 'a string', type));
      else faults.add(invalidEnumValue(typePath, type, allowed));
      return value;
    };
  }

  // Branches of different JSON types (a string or an array of parts): the value's own type picks one;
  // constants of one JSON type (`{...} | 'always' | 'never'`) are one enum.
  const byJsonType = new Map<string, Check>();
  for (const type of new Set(nonNull.map(jsonTypeOfBranch))) {
    const ofType = nonNullRefs.filter((_, i) => jsonTypeOfBranch(nonNull[i]!) === type);
    const shapes = ofType.map((b) => resolve(b, options));
    const constants = shapes.every((b) => b.const !== undefined);
    // Objects told apart by `type` (`'auto' | {type:'text'} | {type:'json_object'}`) are a union of their own.
    const tagged = type === 'object' && shapes.every((b) => discriminatorsOf(b) !== undefined);
    if (type === undefined || (ofType.length > 1 && !constants && !tagged)) {
      throw new Error(`compileValidator: cannot pick a branch of ${JSON.stringify(unresolved)}`);
    }
    const check =
      ofType.length === 1
        ? compile(ofType[0]!, options)
        : constants
          ? compileEnum(shapes.map((b) => b.const))
          : compileUnion(ofType, options);
    byJsonType.set(type, check);
  }
  const expected = `one of ${[...byJsonType.keys()].map(typeWord).join(' or ')}`;
  return (value, parent, key, faults) => {
    const check = byJsonType.get(jsonTypeOf(value)) ?? (Number.isInteger(value) ? byJsonType.get('number') : undefined);
    if (check) return check(value, parent, key, faults);
    if (value !== null || nonNull.length === branches.length) {
      faults.add(invalidType(paramOf(pathOf(parent, key)), expected, value));
    }
    return value;
  };
}

function compileObject(schema: JsonSchema, options: CompileOptions): Check {
  const properties: [string, Check, unknown][] = Object.entries(schema.properties ?? {}).map(([key, sub]) => [
    key,
    compile(sub as JsonSchema, options),
    (sub as JsonSchema).default,
  ]);
  const known = new Set(properties.map(([key]) => key));
  const required: string[] = schema.required ?? [];
  const extra = schema.additionalProperties;
  const extraCheck = typeof extra === 'object' ? compile(extra, options) : undefined;
  const maxProperties: number | undefined = schema.maxProperties;
  const maxKeyLength: number | undefined = schema.propertyNames?.maxLength;

  return (value, parent, at, faults) => {
    if (!isPlainObject(value)) {
      faults.add(invalidType(paramOf(pathOf(parent, at)), 'an object', value));
      return value;
    }
    const here = placeOf(parent, at);
    const keys = Object.keys(value);
    if (maxProperties !== undefined && keys.length > maxProperties) {
      faults.add(tooManyProperties(pathOf(here, undefined), maxProperties, keys.length));
    }
    for (const key of keys) {
      if (known.has(key)) continue;
      if (maxKeyLength !== undefined) {
        const length = codePointLength(key);
        if (length > maxKeyLength) faults.add(propertyNameTooLong(pathOf(here, undefined), key, maxKeyLength, length));
      }
      if (extraCheck) extraCheck(value[key], here, key, faults);
      else if (extra === false) faults.add(unknownParameter(pathOf(here, key)));
    }
    for (const key of required) {
      if (value[key] === undefined) faults.add(missingParameter(pathOf(here, key)));
    }
    for (const [key, check, fallback] of properties) {
      const current = value[key];
      if (current === undefined) {
        if (fallback !== undefined) value[key] = fallback;
        continue;
      }
      const checked = check(current, here, key, faults);
      if (checked !== current) value[key] = checked;
    }
    return value;
  };
}

function compileArray(schema: JsonSchema, options: CompileOptions): Check {
  const itemCheck = compile(schema.items, options);
  const { minItems, maxItems } = schema as { minItems?: number; maxItems?: number };
  return (value, parent, key, faults) => {
    if (!Array.isArray(value)) {
      faults.add(invalidType(paramOf(pathOf(parent, key)), 'an array', value));
      return value;
    }
    if (minItems !== undefined && value.length < minItems) faults.add(emptyArray(pathOf(parent, key), minItems));
    if (maxItems !== undefined && value.length > maxItems) {
      // Its items are not checked: an array of any length is refused in time that does not grow with it.
      faults.add(arrayTooLong(pathOf(parent, key), maxItems, value.length));
      return value;
    }
    const here = placeOf(parent, key);
    for (let i = 0; i < value.length; i++) value[i] = itemCheck(value[i], here, i, faults);
    return value;
  };
}

function compileString(schema: JsonSchema): Check {
  const { minLength, maxLength, format } = schema as { minLength?: number; maxLength?: number; format?: string };
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern as string, 'u');
  const prefix: string | undefined = schema['x-id-prefix'];
  const accepted: string[] | undefined = prefix === undefined ? undefined : (schema['x-id-accepts'] ?? [prefix]);
  return (value, parent, key, faults) => {
    if (typeof value !== 'string') {
      faults.add(invalidType(paramOf(pathOf(parent, key)), 'a string', value));
      return value;
    }
    // A code point is one or two UTF-16 units, so only a length between the bounds' two readings is counted.
    if (maxLength !== undefined && value.length > maxLength) {
      const length = codePointLength(value);
      if (length > maxLength) faults.add(stringTooLong(pathOf(parent, key), maxLength, length));
    }
    if (minLength !== undefined && value.length < 2 * minLength) {
      const length = codePointLength(value);
      if (length < minLength) faults.add(stringTooShort(pathOf(parent, key), minLength, length));
    }
    if (format === 'uri' && !isAbsoluteHttpUrl(value)) faults.add(invalidUrl(pathOf(parent, key)));
    if (prefix !== undefined && !accepted!.some((p) => value.startsWith(p)))
      faults.add(invalidIdPrefix(pathOf(parent, key), value, prefix));
    else if (prefix === undefined && pattern && !pattern.test(value)) {
      faults.add(patternMismatch(pathOf(parent, key), schema.pattern));
    }
    return value;
  };
}

function compileNumber(schema: JsonSchema, options: CompileOptions): Check {
  const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
  const integer = schema.type === 'integer';
  return (value, parent, key, faults) => {
    let number = value;
    if (options.coerceStrings && typeof value === 'string' && /^-?\d+$/.test(value)) number = Number(value);
    const ok = typeof number === 'number' && Number.isFinite(number) && (!integer || Number.isInteger(number));
    if (!ok) {
      faults.add(invalidType(paramOf(pathOf(parent, key)), typeWord(schema.type), value));
      return value;
    }
    const n = number as number;
    if (maximum !== undefined && n > maximum)
      faults.add((integer ? integerAboveMax : decimalAboveMax)(pathOf(parent, key), maximum, n));
    if (minimum !== undefined && n < minimum)
      faults.add((integer ? integerBelowMin : decimalBelowMin)(pathOf(parent, key), minimum, n));
    return n;
  };
}
