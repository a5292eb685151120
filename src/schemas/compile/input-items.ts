import { invalidType } from '../../errors.js';
import { compileValidator, type ValidationResult } from './validation.js';
import { validateNonMessageItem } from './conversation-items.js';
import { MessageItemInput } from '../message-items.js';

const validateMessage = compileValidator(MessageItemInput, { coerceStrings: false });

/**
 * One item of a create's `items`, picked by its `type`: a message (also when `type` is absent) field by
 * field with the thread routes' errors; any other type (`item_reference` included) by OpenAI's schema for it.
 */
export function validateInputItem(item: unknown, path: string): ValidationResult {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    return { error: invalidType(path, 'an object', item) };
  const type = (item as { type?: unknown }).type;
  if (type === undefined || type === 'message') return validateMessage(item, path);
  return validateNonMessageItem(item, path);
}

/** Every item of `items`, in order; throws the first fault. */
export function validateInputItems(items: unknown[], path = 'items'): unknown[] {
  return items.map((item, index) => {
    const result = validateInputItem(item, `${path}[${index}]`);
    if ('error' in result) throw result.error;
    return result.value;
  });
}
