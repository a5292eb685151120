import { compactionNotSupported, invalidEnumValue, invalidType, missingParameter, nestedTooDeeply } from '../errors.js';
import { compileValidator, type ValidationResult } from '../validation.js';
import {
  ANSWER_FILLS,
  ANSWER_SCHEMA_OF_TYPE,
  DEFINITIONS,
  NESTED_ANSWER_FILLS,
  REQUEST_SCHEMA_OF_TYPE,
} from './conversation-item-definitions.js';

/*
 * The Conversations API's items other than messages, checked against OpenAI's own schemas (generated into
 * conversation-item-definitions.ts by `npm run item-schemas`), one error in the house style. Message items
 * are checked by hand with the thread routes' messages; this module never sees them.
 */

/** Every `type` of the spec's item unions but `message`. */
export const NON_MESSAGE_ITEM_TYPES: ReadonlySet<string> = new Set(Object.keys(REQUEST_SCHEMA_OF_TYPE));

const SUPPORTED_TYPES = ['message', ...NON_MESSAGE_ITEM_TYPES];

const compileAll = (schemaOfType: Readonly<Record<string, string>>) =>
  new Map(
    Object.entries(schemaOfType).map(([type, name]) => [
      type,
      compileValidator({ $ref: name }, { coerceStrings: false, definitions: DEFINITIONS }),
    ]),
  );
const requestValidators = compileAll(REQUEST_SCHEMA_OF_TYPE);
// A type whose answer schema is its request schema and adds nothing needs no second pass.
const answerValidators = compileAll(
  Object.fromEntries(
    Object.entries(ANSWER_SCHEMA_OF_TYPE).filter(
      ([type, name]) => name !== REQUEST_SCHEMA_OF_TYPE[type] || ANSWER_FILLS[type] || NESTED_ANSWER_FILLS[type],
    ),
  ),
);

/** Far beyond any real item (a function's JSON schema, a filter tree), well within the walker's stack. */
export const MAX_ITEM_DEPTH = 100;

/** Whether objects and arrays nest more than `levels` deep; the recursion stops at `levels`. */
export function nestsDeeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (nestsDeeperThan(child, levels - 1)) return true;
    return false;
  }
  for (const key in value) {
    if (nestsDeeperThan((value as Record<string, unknown>)[key], levels - 1)) return true;
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `path` is the item's param path, e.g. `items[3]`. The item as written, or the first error in the house
 * style. `type: null` is an `item_reference`, as the spec's `ItemReferenceParam` allows; the caller
 * resolves the reference, and sends items without a `type` down its message path.
 */
export function validateNonMessageItem(item: unknown, path: string): ValidationResult {
  if (!isPlainObject(item)) return { error: invalidType(path, 'an object', item) };
  if (nestsDeeperThan(item, MAX_ITEM_DEPTH)) return { error: nestedTooDeeply(path, MAX_ITEM_DEPTH) };
  const type = item.type === null ? 'item_reference' : item.type;
  const typePath = `${path}.type`;
  if (type === undefined) return { error: missingParameter(typePath) };
  if (typeof type !== 'string') return { error: invalidType(typePath, 'a string', type) };
  if (type === 'compaction_trigger') return { error: compactionNotSupported(typePath) };
  const validate = requestValidators.get(type);
  if (!validate) return { error: invalidEnumValue(typePath, type, SUPPORTED_TYPES) };
  const request = validate(item, path);
  if ('error' in request) return request;
  // Where the request schema is looser than the answer's (a `call_id` it lets be null, a shell action
  // without `timeout_ms`), the answer's rule applies: no stored item may make a later read fail.
  const answer = answerValidators.get(type)?.(completeNonMessageItem(item), path);
  return answer && 'error' in answer ? answer : { value: item };
}

/**
 * Completes a stored item to what the spec's answer schema requires: `status: "completed"` where a status
 * is required, `null` for a required nullable field, and the choices of
 * docs/behaviour.md#conversation-items-other-than-messages for the rest. Pure: the item as stored is never
 * changed. The id is the store's business (`itemIdPrefix`).
 */
export function completeNonMessageItem(item: Record<string, unknown>): Record<string, unknown> {
  const type = typeof item.type === 'string' ? item.type : '';
  let completed = fill(item, ANSWER_FILLS[type]);
  for (const [key, fills] of Object.entries(NESTED_ANSWER_FILLS[type] ?? {})) {
    const current = item[key];
    if (!isPlainObject(current)) continue;
    const filled = fill(current, fills);
    if (filled !== current) completed = { ...completed, [key]: filled };
  }
  return completed;
}

/** A copy with the absent (or null, where the answer wants a value) fields filled; the object itself when none is. */
function fill(object: Record<string, unknown>, fills: Readonly<Record<string, unknown>> | undefined) {
  let filled = object;
  for (const [key, value] of Object.entries(fills ?? {})) {
    const current = object[key];
    if (current !== undefined && (current !== null || value === null)) continue;
    if (filled === object) filled = { ...object };
    filled[key] = value;
  }
  return filled;
}

/**
 * The id prefix of items of a type created here: the spec's examples where it has one (`fc_123`,
 * `cuo_123`, `tsc_123`, …), the hosted API's prefixes for the rest. Clients must not parse ids.
 * `function_call_output` takes `fco_` rather than its example's `fc_`, so a call and its output differ.
 */
const ID_PREFIXES: Readonly<Record<string, string>> = {
  additional_tools: 'at_',
  apply_patch_call: 'apc_',
  apply_patch_call_output: 'apco_',
  code_interpreter_call: 'ci_',
  compaction: 'cmp_',
  computer_call: 'cu_',
  computer_call_output: 'cuo_',
  custom_tool_call: 'ctc_',
  custom_tool_call_output: 'ctco_',
  file_search_call: 'fs_',
  function_call: 'fc_',
  function_call_output: 'fco_',
  image_generation_call: 'ig_',
  local_shell_call: 'lsh_',
  local_shell_call_output: 'lsho_',
  mcp_approval_request: 'mcpr_',
  mcp_approval_response: 'mcpa_',
  mcp_call: 'mcp_',
  mcp_list_tools: 'mcpl_',
  program: 'cm_',
  program_output: 'cmo_',
  reasoning: 'rs_',
  shell_call: 'sh_',
  shell_call_output: 'sho_',
  tool_search_call: 'tsc_',
  tool_search_output: 'tso_',
  web_search_call: 'ws_',
};

/** The id prefix for items of a type stored here; `item_reference` and `compaction_trigger` are never stored. */
export function itemIdPrefix(type: string): string {
  const prefix = ID_PREFIXES[type];
  if (prefix === undefined) throw new Error(`itemIdPrefix: no stored item has type '${type}'`);
  return prefix;
}
