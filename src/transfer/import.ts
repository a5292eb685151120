import type { Readable } from 'node:stream';
import { isServedTenant } from '../auth/key-ring.js';
import type { Store } from '../store/types.js';
import { type ParsedLine, parseExportLine } from './format.js';
import { linesOf } from './lines.js';

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

/** The longest line import takes by default, in MB (10^6 bytes): a thread that long takes up to about 5 times that in memory. */
export const DEFAULT_MAX_LINE_MB = 64;

const tooLong = (bytes: number, maxMb: number) =>
  `${(bytes / 1e6).toFixed(1)} MB, longer than the ${maxMb} MB a line may have: to import it, run again with --max-line-mb ${Math.ceil(bytes / 1e6)} (import holds up to about 5 times a line's size in memory)`;

const unservedTenant = (tenant: string) =>
  `tenant '${tenant}' is not one the server stores: '' (no API keys), 'tenant:NAME' or 'key:<SHA-256 hex>'; import it with --tenant to choose one`;

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
 * whose id exists already in its tenant is skipped, so importing the same file twice changes nothing, and a
 * thread whose id another tenant's thread has fails its line.
 */
export async function importThreads(
  store: Store,
  input: Readable,
  options: { tenant?: string; maxLineMb?: number; onProgress?: (result: ImportResult) => void } = {},
): Promise<ImportResult> {
  const result: ImportResult = { created: 0, skipped: 0, messages: 0, assistants: 0, skippedAssistants: 0, errors: [] };
  const maxLineMb = options.maxLineMb ?? DEFAULT_MAX_LINE_MB;
  for await (const line of linesOf(input, maxLineMb * 1e6)) {
    const number = line.number;
    if ('tooLong' in line) {
      result.errors.push({ line: number, error: tooLong(line.tooLong, maxLineMb) });
      continue;
    }
    if (line.text.trim() === '') continue;
    const parsed = parseExportLine(line.text);
    if ('error' in parsed) {
      result.errors.push({ line: number, error: parsed.error });
      continue;
    }
    const { tenant } = parsed.line;
    // A tenant no key maps to would be stored out of reach, and 'deleted:' would be purged at the next start.
    if (options.tenant === undefined && !isServedTenant(tenant)) {
      result.errors.push({ line: number, error: unservedTenant(tenant) });
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
