import { invalidEnumValue, invalidType } from '../errors.js';
import { compileValidator, type ValidationResult } from '../validation.js';
import { NON_MESSAGE_ITEM_TYPES, validateNonMessageItem } from './conversation-items.js';
import { ItemReferenceParam, MessageItemInput } from './message-items.js';

const validateMessage = compileValidator(MessageItemInput, { coerceStrings: false });
const validateReference = compileValidator(ItemReferenceParam, { coerceStrings: false });
const nonMessageTypes = new Set<string>(NON_MESSAGE_ITEM_TYPES);
const ITEM_TYPES = ['message', 'item_reference', ...NON_MESSAGE_ITEM_TYPES];

/**
 * One item of a create's `items`, picked by its `type`: a message (also when `type` is absent) field by
 * field, an item reference, or any other type by its schema from OpenAI's spec.
 */
export function validateInputItem(item: unknown, path: string): ValidationResult {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return { error: invalidType(path, 'an object', item) };
  const type = (item as { type?: unknown }).type;
  if (type === undefined || type === 'message') return validateMessage(item, path);
  if (type === 'item_reference') return validateReference(item, path);
  if (typeof type !== 'string') return { error: invalidType(`${path}.type`, 'a string', type) };
  if (nonMessageTypes.has(type)) return validateNonMessageItem(item, path);
  return { error: invalidEnumValue(`${path}.type`, type, ITEM_TYPES) };
}

/** Every item of `items`, in order; throws the first fault. */
export function validateInputItems(items: unknown[], path = 'items'): unknown[] {
  return items.map((item, index) => {
    const result = validateInputItem(item, `${path}[${index}]`);
    if ('error' in result) throw result.error;
    return result.value;
  });
}
