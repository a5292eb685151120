// A thread's history, a page at a time, oldest first. From the Conversations view when the server has it
// (it also shows tool calls, outputs and reasoning), else from the thread's messages.
import { ApiError, api, pathId } from './api.js';

export const PAGE_SIZE = 20;

/** Thread messages of these roles are what the thread view also shows (one object, one id in both views). */
const THREAD_ROLES = new Set(['user', 'assistant']);

async function messagesPage(threadId, after, limit) {
  const query = [
    ['order', 'asc'],
    ['limit', String(limit)],
  ];
  if (after) query.push(['after', after]);
  return api('GET', `/threads/${pathId(threadId)}/messages`, query);
}

/**
 * Items carry no time, metadata or attachments; the thread view's page from the same cursor holds exactly
 * the page's user and assistant messages (it skips the rest and keeps its pages full), so one more call adds them.
 */
async function threadMessagesOf(threadId, after, items) {
  const wanted = items.filter((item) => item.type === 'message' && THREAD_ROLES.has(item.role)).length;
  if (wanted === 0) return new Map();
  try {
    const page = await messagesPage(threadId, after, wanted);
    return new Map(page.data.map((message) => [message.id, message]));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw error;
    return new Map();
  }
}

/**
 * Opens the timeline: `next()` resolves with the next page as entries, `{ message }` (a thread message)
 * or `{ item }` (a conversation item), and whether more follow.
 */
export async function openTimeline(threadId) {
  let after = null;
  let source = 'items';
  const itemsPage = () => {
    const query = [
      ['order', 'asc'],
      ['limit', String(PAGE_SIZE)],
    ];
    if (after) query.push(['after', after]);
    return api('GET', `/conversations/${pathId(threadId)}/items`, query);
  };
  let first;
  try {
    first = await itemsPage();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    source = 'messages';
    first = await messagesPage(threadId, null, PAGE_SIZE);
  }

  async function toEntries(page, cursor) {
    if (source === 'messages') return page.data.map((message) => ({ message }));
    const messages = await threadMessagesOf(threadId, cursor, page.data);
    return page.data.map((item) => (messages.has(item.id) ? { message: messages.get(item.id), item } : { item }));
  }

  let pending = first;
  return {
    source,
    async next() {
      const cursor = after;
      const page = pending ?? (source === 'items' ? await itemsPage() : await messagesPage(threadId, after, PAGE_SIZE));
      pending = null;
      if (page.last_id) after = page.last_id;
      return { entries: await toEntries(page, cursor), hasMore: page.has_more };
    },
  };
}
