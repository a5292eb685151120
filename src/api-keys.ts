import { createHash, timingSafeEqual } from 'node:crypto';

export interface ApiKey {
  key: string;
  /** The tenant stored with every thread created with this key. */
  tenant: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Entries `key` or `tenant:key` (split at the first colon); blank entries and `#` comments are skipped.
 * A key without a named tenant is a tenant of its own, named after the key's hash so the key itself
 * is never stored.
 */
export function parseApiKeys(entries: string[]): ApiKey[] {
  const byKey = new Map<string, ApiKey>();
  for (const entry of entries.map((e) => e.trim())) {
    if (entry === '' || entry.startsWith('#')) continue;
    const colon = entry.indexOf(':');
    const key = colon === -1 ? entry : entry.slice(colon + 1).trim();
    const tenant = colon === -1 ? `key:${sha256(key).toString('hex')}` : `tenant:${entry.slice(0, colon).trim()}`;
    if (key === '' || /\s/.test(key)) throw new Error(`an entry has an empty key or a key with spaces (${maskKey(key)})`);
    if (tenant === 'tenant:') throw new Error(`an entry has an empty tenant name (${maskKey(key)})`);
    const known = byKey.get(key);
    if (known && known.tenant !== tenant) throw new Error(`a key is given for two tenants (${maskKey(key)})`);
    byKey.set(key, { key, tenant });
  }
  return [...byKey.values()];
}

/** OpenAI's masking: the first 8 characters, a star for each hidden one, the last 4; 12 or fewer: all stars. */
export function maskKey(key: string): string {
  const chars = [...key];
  if (chars.length <= 12) return '*'.repeat(chars.length);
  return `${chars.slice(0, 8).join('')}${'*'.repeat(chars.length - 12)}${chars.slice(-4).join('')}`;
}

/**
 * Finds a presented key's tenant in time that does not depend on where the key differs: both sides are
 * hashed to the same length, and every configured key is compared.
 */
export class KeyRing {
  private readonly entries: { digest: Buffer; tenant: string }[];

  constructor(keys: ApiKey[]) {
    this.entries = keys.map(({ key, tenant }) => ({ digest: sha256(key), tenant }));
  }

  get size(): number {
    return this.entries.length;
  }

  tenantOf(presented: string): string | undefined {
    const digest = sha256(presented);
    let tenant: string | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest)) tenant = entry.tenant;
    }
    return tenant;
  }
}

/**
 * The stored tenant of a tenant as an operator names it (`threadstore export --tenant`): a name as written
 * before the colon in `API_KEYS` (`acme`), or `sha256:<hex>` for a bare key's own tenant, the key's SHA-256
 * in lowercase hex (`printf %s "$KEY" | sha256sum`). Undefined for text that cannot name a tenant.
 */
export function storedTenantOf(name: string): string | undefined {
  const hashed = /^sha256:([0-9a-f]{64})$/.exec(name);
  if (hashed) return `key:${hashed[1]}`;
  if (name.trim() === '' || /[:\s]/.test(name)) return undefined;
  return `tenant:${name}`;
}
