import {
  ApiError,
  arrayTooLong,
  emptyArray,
  integerAboveMax,
  integerBelowMin,
  invalidEnumValue,
  invalidIdPrefix,
  invalidType,
  invalidUrl,
  missingParameter,
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

type Check = (value: unknown, path: string, faults: Faults) => unknown;

export interface CompileOptions {
  /** Query strings and path parameters arrive as text: read integers out of them. */
  coerceStrings: boolean;
}

export type ValidationResult = { value: unknown } | { error: ApiError };

export function compileValidator(schema: JsonSchema, options: CompileOptions): (data: unknown) => ValidationResult {
  const check = compile(schema, options);
  return (data) => {
    const faults = new Faults();
    const value = check(data, '', faults);
    const error = faults.first();
    return error ? { error } : { value };
  };
}

const child = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
const item = (path: string, index: number) => `${path}[${index}]`;
const paramOf = (path: string) => (path === '' ? null : path);

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

function compile(schema: JsonSchema, options: CompileOptions): Check {
  if (schema.anyOf) return compileUnion(schema.anyOf, options);
  if (schema.const !== undefined) return compileEnum([schema.const]);
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
      return (value, path, faults) => {
        if (jsonTypeOf(value) !== schema.type) faults.add(invalidType(paramOf(path), typeWord(schema.type), value));
        return value;
      };
    default:
      throw new Error(`compileValidator: unsupported schema ${JSON.stringify(schema)}`);
  }
}

function compileEnum(allowed: unknown[]): Check {
  const set = new Set(allowed);
  const expected = typeWord(jsonTypeOf(allowed[0]));
  return (value, path, faults) => {
    if (typeof value !== typeof allowed[0]) faults.add(invalidType(paramOf(path), expected, value));
    else if (!set.has(value)) faults.add(invalidEnumValue(path, value, allowed));
    return value;
  };
}

function discriminatorOf(branch: JsonSchema): unknown {
  return branch.type === 'object' ? branch.properties?.type?.const : undefined;
}

function compileUnion(branches: JsonSchema[], options: CompileOptions): Check {
  if (branches.every((b) => b.const !== undefined)) return compileEnum(branches.map((b) => b.const));

  const nonNull = branches.filter((b) => b.type !== 'null');
  if (nonNull.length === 1) {
    const check = compile(nonNull[0]!, options);
    return (value, path, faults) => (value === null ? null : check(value, path, faults));
  }

  if (nonNull.every((b) => discriminatorOf(b) !== undefined)) {
    const byType = new Map(nonNull.map((b) => [discriminatorOf(b), compile(b, options)]));
    const allowed = [...byType.keys()];
    return (value, path, faults) => {
      if (!isPlainObject(value)) {
        faults.add(invalidType(paramOf(path), 'an object', value));
        return value;
      }
      const type = value.type;
      const check = byType.get(type);
      if (check) return check(value, path, faults);
      if (type === undefined) faults.add(missingParameter(child(path, 'type')));
      else if (typeof type !== 'string') faults.add(invalidType(child(path, 'type'), 'a string', type));
      else faults.add(invalidEnumValue(child(path, 'type'), type, allowed));
      return value;
    };
  }

  // Branches of different JSON types (a string or an array of parts): the value's own type picks one.
  const byJsonType = new Map(nonNull.map((b) => [b.type as string, compile(b, options)]));
  const expected = `one of ${[...byJsonType.keys()].map(typeWord).join(' or ')}`;
  return (value, path, faults) => {
    const check = byJsonType.get(jsonTypeOf(value)) ?? (Number.isInteger(value) ? byJsonType.get('number') : undefined);
    if (check) return check(value, path, faults);
    if (value !== null || nonNull.length === branches.length) faults.add(invalidType(paramOf(path), expected, value));
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

  return (value, path, faults) => {
    if (!isPlainObject(value)) {
      faults.add(invalidType(paramOf(path), 'an object', value));
      return value;
    }
    const keys = Object.keys(value);
    if (maxProperties !== undefined && keys.length > maxProperties) {
      faults.add(tooManyProperties(path, maxProperties, keys.length));
    }
    for (const key of keys) {
      if (known.has(key)) continue;
      if (maxKeyLength !== undefined) {
        const length = codePointLength(key);
        if (length > maxKeyLength) faults.add(propertyNameTooLong(path, key, maxKeyLength, length));
      }
      if (extraCheck) extraCheck(value[key], child(path, key), faults);
      else if (extra === false) faults.add(unknownParameter(child(path, key)));
    }
    for (const key of required) {
      if (value[key] === undefined) faults.add(missingParameter(child(path, key)));
    }
    for (const [key, check, fallback] of properties) {
      const current = value[key];
      if (current === undefined) {
        if (fallback !== undefined) value[key] = fallback;
        continue;
      }
      const checked = check(current, child(path, key), faults);
      if (checked !== current) value[key] = checked;
    }
    return value;
  };
}

function compileArray(schema: JsonSchema, options: CompileOptions): Check {
  const itemCheck = compile(schema.items, options);
  const { minItems, maxItems } = schema as { minItems?: number; maxItems?: number };
  return (value, path, faults) => {
    if (!Array.isArray(value)) {
      faults.add(invalidType(paramOf(path), 'an array', value));
      return value;
    }
    if (minItems !== undefined && value.length < minItems) faults.add(emptyArray(path, minItems));
    if (maxItems !== undefined && value.length > maxItems) {
      // Its items are not checked: an array of any length is refused in time that does not grow with it.
      faults.add(arrayTooLong(path, maxItems, value.length));
      return value;
    }
    for (let i = 0; i < value.length; i++) value[i] = itemCheck(value[i], item(path, i), faults);
    return value;
  };
}

function compileString(schema: JsonSchema): Check {
  const { minLength, maxLength, format } = schema as { minLength?: number; maxLength?: number; format?: string };
  const prefix: string | undefined = schema['x-id-prefix'];
  return (value, path, faults) => {
    if (typeof value !== 'string') {
      faults.add(invalidType(paramOf(path), 'a string', value));
      return value;
    }
    // A string never has more code points than UTF-16 units, so short strings skip the count.
    if (maxLength !== undefined && value.length > maxLength) {
      const length = codePointLength(value);
      if (length > maxLength) faults.add(stringTooLong(path, maxLength, length));
    }
    if (minLength !== undefined && codePointLength(value) < minLength) {
      faults.add(stringTooShort(path, minLength, codePointLength(value)));
    }
    if (format === 'uri' && !isAbsoluteHttpUrl(value)) faults.add(invalidUrl(path));
    if (prefix !== undefined && !value.startsWith(prefix)) faults.add(invalidIdPrefix(path, value, prefix));
    return value;
  };
}

function compileNumber(schema: JsonSchema, options: CompileOptions): Check {
  const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
  const integer = schema.type === 'integer';
  return (value, path, faults) => {
    let number = value;
    if (options.coerceStrings && typeof value === 'string' && /^-?\d+$/.test(value)) number = Number(value);
    const ok = typeof number === 'number' && Number.isFinite(number) && (!integer || Number.isInteger(number));
    if (!ok) {
      faults.add(invalidType(paramOf(path), typeWord(schema.type), value));
      return value;
    }
    const n = number as number;
    if (maximum !== undefined && n > maximum) faults.add(integerAboveMax(path, maximum, n));
    if (minimum !== undefined && n < minimum) faults.add(integerBelowMin(path, minimum, n));
    return n;
  };
}
