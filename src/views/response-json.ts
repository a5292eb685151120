import { ConversationItem } from '../schemas/conversations.js';
import { MessageObject } from '../schemas/messages.js';
import { compileSerializer } from '../schemas/compile/serialization.js';
import type { ItemJson, ItemRecord, ItemView, ItemViews } from '../store/records.js';
import { newItemIdOf, toItem } from './conversation-view.js';
import { THREAD_ROLES, toMessage } from './thread-view.js';

/*
 * Each item's answers as JSON text, made once when the item is written (and again when it changes), so a
 * retrieve sends the stored text and a page is stitched from it, with no parse and no re-serialise. The
 * text is what the routes' own response serializers write (the same compiled functions), so the answers
 * stay byte for byte what they were when built per request.
 */

const messageJson = compileSerializer(MessageObject);
const itemJson = compileSerializer(ConversationItem);

/** The thread view shows user and assistant messages only (as THREAD_VIEW_SQL selects them). */
const inThreadView = (record: Pick<ItemRecord, 'type' | 'role'>) =>
  record.type === 'message' && (THREAD_ROLES as readonly string[]).includes(record.role);

/** Both answers of a stored item of the thread `threadId`. */
export const itemJsonOf = (record: ItemRecord, threadId: string): ItemJson => ({
  thread: inThreadView(record) ? messageJson(toMessage(record, threadId)) : null,
  item: itemJson(toItem(record)),
});

/** The answer of one view, rendered now: for an engine that does not store them (PostgreSQL). */
export const jsonInView = (record: ItemRecord, threadId: string, view: ItemView): string =>
  view === 'all' ? itemJson(toItem(record)) : messageJson(toMessage(record, threadId));

/** What the store is handed when it opens (src/store/open-store.ts): it imports no view itself. */
export const itemViews: ItemViews = { answers: itemJsonOf, answer: jsonInView, newItemId: newItemIdOf };

/**
 * A list answer stitched from its items' stored JSON, as the ListResponse serializer writes it:
 * `object`, `data`, `first_id`, `last_id` (null on an empty page), `has_more`, in that order.
 */
export function listJson(data: readonly { id: string; json: string }[], hasMore: boolean): string {
  const first = data[0];
  const last = data.at(-1);
  const ends = `"first_id":${first ? JSON.stringify(first.id) : 'null'},"last_id":${last ? JSON.stringify(last.id) : 'null'}`;
  return `{"object":"list","data":[${data.map((entry) => entry.json).join(',')}],${ends},"has_more":${hasMore}}`;
}
