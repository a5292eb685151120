import type { ContentPart, CreateMessageRequest } from './schemas/messages.js';
import type { NewMessage } from './store/types.js';

type RequestPart = Exclude<CreateMessageRequest['content'], string>[number];

function toContentPart(part: RequestPart): ContentPart {
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

/** A validated create-message body in the form messages are stored and answered in. */
export function toNewMessage(body: CreateMessageRequest): NewMessage {
  const content = typeof body.content === 'string' ? [toContentPart({ type: 'text', text: body.content })] : body.content.map(toContentPart);
  return {
    role: body.role,
    content,
    attachments: body.attachments ?? [],
    metadata: body.metadata ?? {},
  };
}
