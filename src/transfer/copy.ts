import type { Store } from '../store/types.js';
import { itemPagesOf, type TransferCount } from './export.js';

export interface CopyResult extends TransferCount {
  /** Threads and assistants not copied because their id exists in the target. */
  skipped: number;
  skippedAssistants: number;
}

/** Every assistant and thread of one store written into another, as export then import would, without the file. */
export async function copyThreads(
  from: Store,
  to: Store,
  options: { tenant?: string; onProgress?: (result: CopyResult) => void } = {},
): Promise<CopyResult> {
  const result: CopyResult = { threads: 0, messages: 0, assistants: 0, skipped: 0, skippedAssistants: 0 };
  for await (const { tenant, assistant } of from.transfer.assistants(options.tenant)) {
    if (await to.transfer.importAssistant(tenant, assistant)) result.assistants++;
    else result.skippedAssistants++;
  }
  for await (const { tenant, thread } of from.transfer.threads(options.tenant)) {
    const messages = [];
    for await (const page of itemPagesOf(from, tenant, thread.id)) messages.push(...page);
    if (await to.transfer.importThread(tenant, thread, messages)) {
      result.threads++;
      result.messages += messages.length;
    } else {
      result.skipped++;
    }
    options.onProgress?.(result);
  }
  return result;
}
