import type { ContentPart, CreateMessageRequest, MessageObject } from '../schemas/messages.js';
import type { ItemRecord, NewItem } from '../store/records.js';

/*
 * The thread view of a thread's items: the Assistants API's messages. It shows message items of role
 * `user` or `assistant` only (the store filters the rest out in SQL, so pages stay full), and of their
 * parts those it can express. Items the Conversations API wrote keep their content in `item`; messages
 * this API wrote keep theirs in `content`, in this view's own form.
 */

export const THREAD_ROLES = ['user', 'assistant'] as const;

type RequestPart = Exclude<CreateMessageRequest['content'], string>[number];

function fromRequestPart(part: RequestPart): ContentPart {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: { value: part.text, annotations: [] } };
    case 'image_url':
      return { type: 'image_url', image_url: { url: part.image_url.url, detail: part.image_url.detail ?? 'auto' } };
    case 'image_file':
      return {
        type: 'image_file',
        image_file: { file_id: part.image_file.file_id, detail: part.image_file.detail ?? 'auto' },
      };
  }
}

/** A validated create-message body as the store writes it. */
export function fromCreateMessage(body: CreateMessageRequest): NewItem {
  const content =
    typeof body.content === 'string'
      ? [fromRequestPart({ type: 'text', text: body.content })]
      : body.content.map(fromRequestPart);
  return {
    type: 'message',
    role: body.role,
    item: null,
    content,
    status: 'completed',
    attachments: body.attachments ?? [],
    metadata: body.metadata ?? {},
  };
}

/** The thread API knows `auto`, `low` and `high`; `original` is the nearest of them, `high`. */
const threadDetail = (detail: unknown) => (detail === 'low' || detail === 'auto' ? detail : 'high');

/** An item content part as a thread message part, or undefined when the thread view cannot express it. */
function toThreadPart(part: Record<string, unknown>): ContentPart | undefined {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: { value: String(part.text), annotations: [] } };
    case 'refusal':
      return { type: 'refusal', refusal: String(part.refusal) };
    case 'input_image':
      if (typeof part.image_url === 'string') {
        return { type: 'image_url', image_url: { url: part.image_url, detail: threadDetail(part.detail) } };
      }
      if (typeof part.file_id === 'string') {
        return { type: 'image_file', image_file: { file_id: part.file_id, detail: threadDetail(part.detail) } };
      }
      return undefined;
    default:
      return undefined;
  }
}

function threadContent(record: ItemRecord): ContentPart[] {
  if (record.item === null) return record.content;
  const parts = Array.isArray(record.item.content) ? (record.item.content as Record<string, unknown>[]) : [];
  return parts.flatMap((part) => toThreadPart(part) ?? []);
}

/** A stored message item (of a role the thread view shows) as the thread API's message object. */
export function toMessage(record: ItemRecord, threadId: string): MessageObject {
  return {
    id: record.id,
    object: 'thread.message',
    created_at: record.created_at,
    thread_id: threadId,
    status: record.status,
    incomplete_details: record.incomplete_details,
    completed_at: record.completed_at,
    incomplete_at: record.incomplete_at,
    role: record.role as MessageObject['role'],
    content: threadContent(record),
    assistant_id: record.assistant_id,
    run_id: record.run_id,
    attachments: record.attachments,
    metadata: record.metadata,
  };
}
