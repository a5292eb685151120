import type { AssistantRecord } from '../run-records.js';
import type { AssistantChanges, NewAssistant, StoredAssistant } from '../types.js';
import { rowsInBatches } from './thread-batches.js';

/** The columns of an assistant row that make its API object; both engines store `settings` as JSON text. */
export interface AssistantColumns {
  id: string;
  created_at: number;
  settings: string;
}

/** An assistant row as the transfer reads it: its place in the table and its tenant too. */
export interface StoredAssistantRow extends AssistantColumns {
  seq: number;
  tenant: string;
}

/** The object in the hosted API's key order, from its id, time and settings. */
export function assistantOf(id: string, created_at: number, settings: NewAssistant): AssistantRecord {
  return {
    id,
    object: 'assistant',
    created_at,
    name: settings.name,
    description: settings.description,
    model: settings.model,
    instructions: settings.instructions,
    tools: settings.tools,
    tool_resources: settings.tool_resources,
    metadata: settings.metadata,
    temperature: settings.temperature,
    top_p: settings.top_p,
    response_format: settings.response_format,
    reasoning_effort: settings.reasoning_effort,
  };
}

export const toAssistant = (row: AssistantColumns): AssistantRecord =>
  assistantOf(row.id, row.created_at, JSON.parse(row.settings) as NewAssistant);

/** The settings of an object, as the `settings` column holds them. */
export function settingsOf(assistant: AssistantRecord): string {
  const { id: _id, object: _object, created_at: _createdAt, ...settings } = assistant;
  return JSON.stringify(settings);
}

/** A modify: the given settings replace the stored ones, the others stay. */
export function changed(assistant: AssistantRecord, changes: AssistantChanges): AssistantRecord {
  const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  const { id, object: _object, created_at, ...settings } = assistant;
  return assistantOf(id, created_at, { ...settings, ...given });
}

/** Every assistant that `read` finds after a seq, oldest first, a batch at a time. */
export const assistantsInBatches = (
  read: (after: number, limit: number) => StoredAssistantRow[] | Promise<StoredAssistantRow[]>,
): AsyncIterable<StoredAssistant> =>
  rowsInBatches(read, (row) => ({ tenant: row.tenant, assistant: toAssistant(row) }));
