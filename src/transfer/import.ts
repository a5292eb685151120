import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Store } from '../store/types.js';
import { type ParsedLine, parseExportLine } from './format.js';

export interface ImportResult {
  /** Threads written, and threads skipped because their id exists. */
  created: number;
  skipped: number;
  messages: number;
  /** Assistants written, and assistants skipped because their id exists. */
  assistants: number;
  skippedAssistants: number;
  /** Lines that were not imported, with their numbers (from 1). */
  errors: { line: number; error: string }[];
}

/** Writes one parsed line into the store, counting it in `result`. */
async function importLine(store: Store, line: ParsedLine, tenant: string, result: ImportResult): Promise<void> {
  if (line.kind === 'assistant') {
    if (await store.transfer.importAssistant(tenant, line.assistant)) result.assistants++;
    else result.skippedAssistants++;
    return;
  }
  if (await store.transfer.importThread(tenant, line.thread, line.items)) {
    result.created++;
    result.messages += line.items.length;
  } else {
    result.skipped++;
  }
}

/**
 * Loads JSON Lines written by export. Each thread is written whole or not at all; a thread or assistant
 * whose id exists already is skipped, so importing the same file twice changes nothing.
 */
export async function importThreads(
  store: Store,
  input: Readable,
  options: { tenant?: string; onProgress?: (result: ImportResult) => void } = {},
): Promise<ImportResult> {
  const result: ImportResult = { created: 0, skipped: 0, messages: 0, assistants: 0, skippedAssistants: 0, errors: [] };
  let number = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    number++;
    if (text.trim() === '') continue;
    const parsed = parseExportLine(text);
    if ('error' in parsed) {
      result.errors.push({ line: number, error: parsed.error });
      continue;
    }
    try {
      await importLine(store, parsed.line, options.tenant ?? parsed.line.tenant, result);
    } catch (error) {
      result.errors.push({ line: number, error: (error as Error).message });
    }
    options.onProgress?.(result);
  }
  return result;
}
