import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ThreadNotFound } from '../store/store-errors.js';
import type { ItemRecord, Store } from '../store/types.js';
import { toAssistantLine } from './assistant-line.js';
import { toExportEntry } from './format.js';

export interface TransferCount {
  threads: number;
  messages: number;
  assistants: number;
}

/** A thread deleted while it is read has no more items: its ThreadNotFound ends its pages. */
const gone = (threadId: string) => (error: unknown) => {
  if (error instanceof ThreadNotFound && error.threadId === threadId) return undefined;
  throw error;
};

/** Larger than the API's pages: the store takes any limit, and fewer round trips matter at a million. */
const PAGE = 1000;

/** A thread's items, oldest first, a page at a time so a huge thread never sits in memory. */
export async function* itemPagesOf(store: Store, tenant: string, threadId: string): AsyncIterable<ItemRecord[]> {
  let after: string | undefined;
  for (;;) {
    const page = await store.items
      .list(tenant, threadId, { limit: PAGE, order: 'asc', after, view: 'all' })
      .catch(gone(threadId));
    if (!page) return;
    yield page.data;
    if (!page.has_more) return;
    after = page.data.at(-1)!.id;
  }
}

/** Writes `text`, waiting while the stream is full; its size in bytes. */
async function write(out: Writable, text: string): Promise<number> {
  if (!out.write(text)) await once(out, 'drain');
  return Buffer.byteLength(text);
}

export interface ExportCount extends TransferCount {
  /** The longest line written (one thread), for import's line limit; undefined when none was. */
  longest?: { thread: string; bytes: number };
}

/**
 * Writes every assistant, then every thread (or one tenant's), as JSON Lines, streaming: memory stays flat
 * however large.
 */
export async function exportThreads(
  store: Store,
  out: Writable,
  options: { tenant?: string; onProgress?: (count: TransferCount) => void } = {},
): Promise<ExportCount> {
  const count: ExportCount = { threads: 0, messages: 0, assistants: 0 };
  for await (const stored of store.transfer.assistants(options.tenant)) {
    await write(out, `${toAssistantLine(stored)}\n`);
    count.assistants++;
  }
  for await (const { tenant, thread } of store.transfer.threads(options.tenant)) {
    const head = JSON.stringify({ ...thread, tenant });
    let bytes = await write(out, `${head.slice(0, -1)},"messages":[`);
    let separator = '';
    for await (const page of itemPagesOf(store, tenant, thread.id)) {
      if (page.length === 0) continue;
      const entries = page.map((record) => JSON.stringify(toExportEntry(record, thread.id)));
      bytes += await write(out, separator + entries.join(','));
      separator = ',';
      count.messages += page.length;
    }
    bytes += await write(out, ']}\n');
    if (bytes > (count.longest?.bytes ?? 0)) count.longest = { thread: thread.id, bytes };
    count.threads++;
    options.onProgress?.(count);
  }
  return count;
}
