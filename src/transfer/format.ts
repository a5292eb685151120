import { Type, type Static } from 'typebox';
import { IdParam, Metadata, ThreadIdParam } from '../schemas/common.js';
import { validateInputItem } from '../schemas/input-items.js';
import { MessageObject } from '../schemas/messages.js';
import { ToolResources } from '../schemas/threads.js';
import type { ItemBody, ItemRecord } from '../store/records.js';
import type { StoredAssistant } from '../store/types.js';
import { compileValidator } from '../validation.js';
import { toMessage } from '../views/thread-view.js';
import { parseAssistantLine } from './assistant-line.js';

/** A message written through the thread API, as that API shows it. */
const ExportedMessage = Type.Object({ ...MessageObject.properties, id: IdParam('msg') });

/** An item written through the Conversations API: the item as written, and what only the thread view adds. */
const ExportedItem = Type.Object({
  id: Type.String({ minLength: 1 }),
  object: Type.Literal('conversation.item'),
  created_at: Type.Integer(),
  metadata: Metadata,
  item: Type.Object({ type: Type.String() }, { additionalProperties: true }),
});

/**
 * A thread's line of an export (an assistant's is in assistant-line.ts): a thread object with its tenant and all its items, oldest first, ids and
 * timestamps as stored. Messages of the thread API are written as that API shows them (so files written
 * before the Conversations API still import); items of the Conversations API as `conversation.item`.
 */
export const ExportLine = Type.Object({
  id: ThreadIdParam('thread'),
  object: Type.Literal('thread'),
  created_at: Type.Integer(),
  tool_resources: ToolResources,
  metadata: Metadata,
  tenant: Type.String(),
  messages: Type.Array(Type.Object({ object: Type.String() }, { additionalProperties: true })),
});

export type ExportLine = Static<typeof ExportLine>;
type ExportedMessage = Static<typeof ExportedMessage>;
type ExportedItem = Static<typeof ExportedItem>;

const validate = compileValidator(ExportLine, { coerceStrings: false });
const validateMessage = compileValidator(ExportedMessage, { coerceStrings: false });
const validateItem = compileValidator(ExportedItem, { coerceStrings: false });

/** A stored item as an entry of an export line's `messages`. */
export function toExportEntry(record: ItemRecord, threadId: string): ExportedMessage | ExportedItem {
  if (record.item === null) return toMessage(record, threadId);
  return {
    id: record.id,
    object: 'conversation.item',
    created_at: record.created_at,
    metadata: record.metadata,
    item: record.item,
  };
}

function fromExportEntry(entry: ExportedMessage | ExportedItem): ItemRecord {
  if (entry.object === 'thread.message') {
    const { object: _object, thread_id: _thread, ...message } = entry;
    return { ...message, type: 'message', item: null };
  }
  const item = entry.item as ItemBody;
  const status = item.status === 'in_progress' || item.status === 'incomplete' ? item.status : 'completed';
  return {
    id: entry.id,
    created_at: entry.created_at,
    type: item.type,
    role: item.type === 'message' ? String(item.role) : '',
    item,
    content: [],
    status,
    incomplete_details: null,
    completed_at: status === 'completed' ? entry.created_at : null,
    incomplete_at: null,
    assistant_id: null,
    run_id: null,
    attachments: [],
    metadata: entry.metadata,
  };
}

/** The fault of one entry, checked like the API checks what it stores, or undefined. */
function entryFault(entry: Record<string, unknown>, path: string, threadId: string) {
  if (entry.object === 'conversation.item') {
    const result = validateItem(entry, path);
    if ('error' in result) return result.error;
    const item = validateInputItem({ ...(entry.item as object), id: entry.id }, `${path}.item`);
    return 'error' in item ? item.error : undefined;
  }
  const result = validateMessage(entry, path);
  if ('error' in result) return result.error;
  if (entry.thread_id !== threadId)
    return new Error(`message '${entry.id}' names thread '${entry.thread_id}', not '${threadId}'`);
  return undefined;
}

export interface ParsedThreadLine {
  kind: 'thread';
  tenant: string;
  thread: Omit<ExportLine, 'tenant' | 'messages'>;
  items: ItemRecord[];
}

/** A line of either kind: a thread with its items, or an assistant. */
export type ParsedLine = ParsedThreadLine | ({ kind: 'assistant' } & StoredAssistant);

/** A fault as one line of text; some of the API's messages (a bad enum value) do not name the field. */
function wordFault(fault: Error): string {
  const param = 'param' in fault ? (fault.param as string | null) : null;
  return param === null || fault.message.includes(`'${param}'`) ? fault.message : `${param}: ${fault.message}`;
}

/** Parses and checks one line; the error names the field the way the API's errors do. */
export function parseExportLine(text: string): { line: ParsedLine } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not valid JSON' };
  }
  if (typeof value === 'object' && value !== null && (value as { object?: unknown }).object === 'assistant') {
    const parsed = parseAssistantLine(value as Record<string, unknown>);
    return 'fault' in parsed ? { error: wordFault(parsed.fault) } : { line: { kind: 'assistant', ...parsed } };
  }
  const result = validate(value);
  const fault =
    'error' in result
      ? result.error
      : (value as ExportLine).messages
          .map((entry, i) => entryFault(entry, `messages[${i}]`, (value as ExportLine).id))
          .find(Boolean);
  if (fault) return { error: wordFault(fault) };
  const { tenant, messages, ...thread } = value as ExportLine;
  const items = (messages as (ExportedMessage | ExportedItem)[]).map(fromExportEntry);
  return { line: { kind: 'thread', tenant, thread, items } };
}
