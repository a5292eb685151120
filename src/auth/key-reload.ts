import type { FastifyBaseLogger } from 'fastify';
import type { KeyRing } from './key-ring.js';
import { readApiKeys } from './key-file.js';

/**
 * What SIGHUP does: re-reads `API_KEYS` and `API_KEYS_FILE` and swaps the whole key table at once, or,
 * when they do not parse, keeps every previous key and logs why. Logs counts and tenant names, never keys.
 */
export function reloadApiKeys(keys: KeyRing, env: NodeJS.ProcessEnv, log: FastifyBaseLogger): void {
  if (keys.size === 0) {
    log.warn('SIGHUP: the server started without API keys and stays open; restart it with keys to require them');
    return;
  }
  let next: ReturnType<typeof readApiKeys>;
  try {
    next = readApiKeys(env);
  } catch (error) {
    log.error(
      { reason: (error as Error).message, keys: keys.size },
      'SIGHUP: API keys not reloaded; the previous keys stay in force',
    );
    return;
  }
  if (next.length === 0) {
    log.error(
      { reason: 'no keys left', keys: keys.size },
      'SIGHUP: API keys not reloaded; the previous keys stay in force',
    );
    return;
  }
  log.info(keys.replace(next), 'SIGHUP: API keys reloaded');
}
