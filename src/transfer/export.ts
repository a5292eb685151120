import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { MessageObject } from '../schemas/messages.js';
import type { Store } from '../store/types.js';

export interface TransferCount {
  threads: number;
  messages: number;
}

/** A thread's messages, oldest first, read a page at a time so a huge thread never sits in memory. */
export async function* messagesOf(store: Store, tenant: string, threadId: string): AsyncIterable<MessageObject> {
  let after: string | undefined;
  for (;;) {
    const page = await store.messages.list(tenant, threadId, { limit: 100, order: 'asc', after });
    if (!page) return;
    yield* page.data;
    if (!page.has_more) return;
    after = page.data.at(-1)!.id;
  }
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Writes every thread (or one tenant's) as JSON Lines, streaming: memory stays flat however large. */
export async function exportThreads(
  store: Store,
  out: Writable,
  options: { tenant?: string; onProgress?: (count: TransferCount) => void } = {},
): Promise<TransferCount> {
  const count = { threads: 0, messages: 0 };
  for await (const { tenant, thread } of store.transfer.threads(options.tenant)) {
    const head = JSON.stringify({ ...thread, tenant });
    await write(out, `${head.slice(0, -1)},"messages":[`);
    let first = true;
    for await (const message of messagesOf(store, tenant, thread.id)) {
      await write(out, (first ? '' : ',') + JSON.stringify(message));
      first = false;
      count.messages++;
    }
    await write(out, ']}\n');
    count.threads++;
    options.onProgress?.(count);
  }
  return count;
}
