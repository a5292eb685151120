// Stand-in for the conv-items helper's module (validator of the non-message item types compiled from
// OpenAI's spec); replaced by theirs when it lands on main.
import { ApiError, invalidEnumValue, invalidType, missingParameter } from '../errors.js';
import type { ValidationResult } from '../validation.js';

const PREFIXES: Record<string, string> = { function_call: 'fc_', function_call_output: 'fco_', reasoning: 'rs_' };

const REQUIRED: Record<string, string[]> = {
  function_call: ['call_id', 'name', 'arguments'],
  function_call_output: ['call_id', 'output'],
  reasoning: ['summary'],
  item_reference: ['id'],
};

export const NON_MESSAGE_ITEM_TYPES: ReadonlySet<string> = new Set(Object.keys(REQUIRED));

export function validateNonMessageItem(item: unknown, path: string): ValidationResult {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return { error: invalidType(path, 'an object', item) };
  const record = item as Record<string, unknown>;
  const type = record.type === null ? 'item_reference' : String(record.type);
  const required = REQUIRED[type];
  if (!required) return { error: invalidEnumValue(`${path}.type`, record.type, ['message', ...NON_MESSAGE_ITEM_TYPES]) };
  const missing = required.find((key) => record[key] === undefined);
  if (missing) return { error: missingParameter(`${path}.${missing}`) };
  if (record.id !== undefined && typeof record.id !== 'string') return { error: invalidType(`${path}.id`, 'a string', record.id) };
  return { value: item };
}

export function completeNonMessageItem(item: Record<string, unknown>): Record<string, unknown> {
  return item.type === 'reasoning' ? item : { status: 'completed', ...item };
}

export function itemIdPrefix(type: string): string {
  const prefix = PREFIXES[type];
  if (!prefix) throw new ApiError(500, `no id prefix for item type ${type}`);
  return prefix;
}
