// The few API calls the benchmark makes outside the load generator: capturing bodies, checking pages and
// writing a thread through the API.
import { messageText } from './message-text.mjs';

/** One request; its parsed JSON answer, or an error naming the request when it is not a success. */
export async function call(url, method, path, body) {
  const response = await fetch(url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A create-items request's most items, as the Conversations API takes them. */
const ITEMS_PER_REQUEST = 20;

/**
 * A new thread of `count` messages (user and assistant in turn, texts as the seeders write them), written
 * through the API, one request of 20 items after the other so their order is known. Resolves to
 * { id, messageIds } with the ids oldest first.
 */
export async function writeThread(url, count) {
  const thread = await call(url, 'POST', '/v1/threads', '{}');
  const messageIds = [];
  for (let from = 0; from < count; from += ITEMS_PER_REQUEST) {
    const items = [];
    for (let i = from; i < Math.min(count, from + ITEMS_PER_REQUEST); i++) {
      const role = i % 2 === 0 ? 'user' : 'assistant';
      const type = role === 'user' ? 'input_text' : 'output_text';
      items.push({ type: 'message', role, content: [{ type, text: messageText(i) }] });
    }
    const created = await call(url, 'POST', `/v1/conversations/${thread.id}/items`, JSON.stringify({ items }));
    messageIds.push(...created.data.map((item) => item.id));
  }
  return { id: thread.id, messageIds };
}
