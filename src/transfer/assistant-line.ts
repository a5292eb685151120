import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import { AssistantObject, CreateAssistantRequest } from '../schemas/assistants.js';
import { IdParam } from '../schemas/common.js';
import type { StoredAssistant } from '../store/types.js';
import { compileValidator } from '../validation.js';
import { fromCreateAssistant } from '../views/assistant-view.js';

/**
 * An assistant's line of an export: the assistant object as the API shows it, with its tenant. Export
 * writes assistants before threads; a file written before assistants existed has thread lines only.
 */
const ExportAssistantLine = Type.Object(
  { ...AssistantObject.properties, id: IdParam('asst'), tenant: Type.String() },
  { additionalProperties: false },
);

const validateLine = compileValidator(ExportAssistantLine, { coerceStrings: false });
// The settings are checked as a create checks them: the same bounds, so an import stores nothing the API would refuse.
const validateSettings = compileValidator(CreateAssistantRequest, { coerceStrings: false });

export const toAssistantLine = ({ tenant, assistant }: StoredAssistant) => JSON.stringify({ ...assistant, tenant });

/** A parsed line whose `object` is `assistant`, checked; or the first fault, as the API would word it. */
export function parseAssistantLine(value: Record<string, unknown>): StoredAssistant | { fault: Error } {
  const line = validateLine(value);
  if ('error' in line) return { fault: line.error };
  const { id, object: _object, created_at, tenant, ...settings } = value as AssistantObject & { tenant: string };
  const checked = validateSettings(settings);
  if ('error' in checked) return { fault: checked.error };
  try {
    return { tenant, assistant: { id, object: 'assistant', created_at, ...fromCreateAssistant(settings) } };
  } catch (error) {
    if (error instanceof ApiError) return { fault: error };
    throw error;
  }
}
