import { readFileSync } from 'node:fs';
import { ConfigError } from '../config-error.js';
import { type ApiKey, keysFileEntries, parseApiKeys } from './key-ring.js';

function readKeysFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`API_KEYS_FILE: cannot read '${path}': ${(error as Error).message}`);
  }
}

function parseKeys(source: string, entries: string[], where?: (index: number) => string): ApiKey[] {
  try {
    return parseApiKeys(entries, where);
  } catch (error) {
    throw new ConfigError(`${source}: ${(error as Error).message}`);
  }
}

/**
 * The keys of `API_KEYS` (comma-separated) and `API_KEYS_FILE` (one per line, `#` comments): read at
 * start-up and again on each SIGHUP. Throws a ConfigError naming the source and entry at fault.
 */
export function readApiKeys(env: NodeJS.ProcessEnv): ApiKey[] {
  const inline = (env.API_KEYS ?? '').split(',');
  const path = env.API_KEYS_FILE || undefined;
  if (path === undefined) return parseKeys('API_KEYS', inline);
  const lines = keysFileEntries(readKeysFile(path));
  parseKeys('API_KEYS', inline);
  parseKeys(`API_KEYS_FILE '${path}'`, lines, (index) => `line ${index + 1}`);
  return parseKeys('API_KEYS and API_KEYS_FILE together', [...inline, ...lines]);
}
