import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ItemRecord, Store } from '../store/types.js';
import { toAssistantLine } from './assistant-line.js';
import { toExportEntry } from './format.js';

export interface TransferCount {
  threads: number;
  messages: number;
  assistants: number;
}

/** Larger than the API's pages: the store takes any limit, and fewer round trips matter at a million. */
const PAGE = 1000;

/** A thread's items, oldest first, a page at a time so a huge thread never sits in memory. */
export async function* itemPagesOf(store: Store, tenant: string, threadId: string): AsyncIterable<ItemRecord[]> {
  let after: string | undefined;
  for (;;) {
    const page = await store.items.list(tenant, threadId, { limit: PAGE, order: 'asc', after, view: 'all' });
    if (!page) return;
    yield page.data;
    if (!page.has_more) return;
    after = page.data.at(-1)!.id;
  }
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * Writes every assistant, then every thread (or one tenant's), as JSON Lines, streaming: memory stays flat
 * however large.
 */
export async function exportThreads(
  store: Store,
  out: Writable,
  options: { tenant?: string; onProgress?: (count: TransferCount) => void } = {},
): Promise<TransferCount> {
  const count = { threads: 0, messages: 0, assistants: 0 };
  for await (const stored of store.transfer.assistants(options.tenant)) {
    await write(out, `${toAssistantLine(stored)}\n`);
    count.assistants++;
  }
  for await (const { tenant, thread } of store.transfer.threads(options.tenant)) {
    const head = JSON.stringify({ ...thread, tenant });
    await write(out, `${head.slice(0, -1)},"messages":[`);
    let separator = '';
    for await (const page of itemPagesOf(store, tenant, thread.id)) {
      if (page.length === 0) continue;
      await write(out, separator + page.map((record) => JSON.stringify(toExportEntry(record, thread.id))).join(','));
      separator = ',';
      count.messages += page.length;
    }
    await write(out, ']}\n');
    count.threads++;
    options.onProgress?.(count);
  }
  return count;
}
