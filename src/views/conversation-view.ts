import { newId, newItemId } from '../ids.js';
import { completeNonMessageItem, itemIdPrefix } from '../schemas/compile/conversation-items.js';
import type { ContentPart } from '../schemas/messages.js';
import type { MessageItemInput } from '../schemas/message-items.js';
import type { ThreadObject } from '../schemas/threads.js';
import type { ItemBody, ItemRecord, NewItem } from '../store/records.js';

/*
 * The conversation view of a thread's items: every item, as written, completed to what the spec's answer
 * schemas require. Messages written through the thread API are mapped here, and only here.
 */

export type WireItem = { id: string; type: string } & Record<string, unknown>;

export const toConversation = (thread: ThreadObject) => ({
  id: thread.id,
  object: 'conversation' as const,
  created_at: thread.created_at,
  metadata: thread.metadata,
});

/** A thread message part as an item content part; thread annotations have no item form and are left out. */
function toItemPart(part: ContentPart, role: string): Record<string, unknown> | undefined {
  switch (part.type) {
    case 'text':
      return role === 'assistant'
        ? { type: 'output_text', text: part.text!.value, annotations: [], logprobs: [] }
        : { type: 'input_text', text: part.text!.value };
    case 'image_url':
      return { type: 'input_image', image_url: part.image_url!.url, detail: part.image_url!.detail };
    case 'image_file':
      return { type: 'input_image', file_id: part.image_file!.file_id, detail: part.image_file!.detail };
    case 'refusal':
      return { type: 'refusal', refusal: part.refusal ?? '' };
    default:
      return undefined;
  }
}

export function toItem(record: ItemRecord): WireItem {
  if (record.item !== null) return { id: record.id, ...record.item };
  return {
    id: record.id,
    type: 'message',
    status: record.status,
    role: record.role,
    content: record.content.flatMap((part) => toItemPart(part, record.role) ?? []),
  };
}

function completePart(part: Record<string, unknown>): Record<string, unknown> {
  switch (part.type) {
    case 'output_text':
      return { ...part, annotations: part.annotations ?? [], logprobs: part.logprobs ?? [] };
    case 'input_image':
      return { ...part, detail: part.detail ?? 'auto' };
    default:
      return part;
  }
}

function messageBody(message: MessageItemInput): ItemBody {
  const { id: _id, type: _type, content, status, ...rest } = message;
  const parts =
    typeof content === 'string'
      ? [message.role === 'assistant' ? { type: 'output_text', text: content } : { type: 'input_text', text: content }]
      : content;
  return { type: 'message', ...rest, status: status ?? 'completed', content: parts.map(completePart) };
}

/** Thread-view columns of an item written through this API: what the thread view needs besides `item`. */
function newItem(id: string | undefined, body: ItemBody): NewItem {
  return {
    ...(id === undefined ? {} : { id }),
    type: body.type,
    role: body.type === 'message' ? String(body.role) : '',
    item: body,
    content: [],
    status: body.status === 'in_progress' || body.status === 'incomplete' ? body.status : 'completed',
    attachments: [],
    metadata: {},
  };
}

/** A validated input item (not a reference) as the store writes it. */
export function fromInputItem(input: Record<string, unknown>): NewItem {
  const { id, ...rest } = input as { id?: string } & Record<string, unknown>;
  if (input.type === undefined || input.type === 'message') return newItem(id, messageBody(input as MessageItemInput));
  return newItem(id, completeNonMessageItem(rest) as ItemBody);
}

/** `{type: "item_reference", id}` (the spec also lets `type` be null): a copy of an item of the same conversation. */
export const isReference = (input: unknown): input is { id: string } => {
  const { type } = input as { type?: unknown };
  return type === 'item_reference' || type === null;
};

/** A copy of a stored item under a new id: what an `item_reference` writes. */
export function copyOf(record: ItemRecord): NewItem {
  const { id: _id, ...body } = toItem(record);
  return { ...newItem(undefined, body as ItemBody), attachments: record.attachments, metadata: record.metadata };
}

/** A new item's id: the thread API's message format for messages, a prefix of their own for the others. */
export const newItemIdOf = (type: string) => (type === 'message' ? newId('msg') : newItemId(itemIdPrefix(type)));
