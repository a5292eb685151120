import { createHash, timingSafeEqual } from 'node:crypto';

export interface ApiKey {
  /** SHA-256 of the key, lowercase hex: all the server keeps of it (a hashed entry gives only this). */
  digest: string;
  /** The tenant stored with every thread created with this key. */
  tenant: string;
}

/** Shorter keys are refused at start-up: they could be guessed. */
export const MIN_KEY_LENGTH = 16;

const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HASHED = /^sha256:([0-9a-f]{64})$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether the text after a colon is a key rather than the rest of one: a hashed key, or a plain key of
 * at least the minimum length without spaces.
 */
const isPlausibleKey = (text: string) =>
  text.startsWith('sha256:') || (text.length >= MIN_KEY_LENGTH && !/\s/.test(text));

/**
 * An entry is `tenant:key` when the text before the first colon is a tenant name (letters, digits, `.`,
 * `_`, `-`, at most 64, not starting with `sk-`, which is how keys start) and the text after it is a key;
 * otherwise the whole entry is one key, colons included.
 */
function splitEntry(entry: string): { tenantName: string | undefined; key: string } {
  const colon = entry.indexOf(':');
  if (colon === -1) return { tenantName: undefined, key: entry };
  const [left, right] = [entry.slice(0, colon).trim(), entry.slice(colon + 1).trim()];
  if (left === '') throw new Error('empty tenant name before the colon');
  if (left === 'sha256' || !TENANT_NAME.test(left) || left.startsWith('sk-') || !isPlausibleKey(right)) {
    return { tenantName: undefined, key: entry };
  }
  return { tenantName: left, key: right };
}

function digestOf(key: string): string {
  if (key.startsWith('sha256:')) {
    const hex = HASHED.exec(key)?.[1];
    if (hex === undefined) throw new Error("a hashed key needs exactly 64 lowercase hex digits after 'sha256:'");
    return hex;
  }
  if (/\s/.test(key)) throw new Error('the key has spaces in it');
  if ([...key].length < MIN_KEY_LENGTH) {
    throw new Error(
      `the key is shorter than ${MIN_KEY_LENGTH} characters; use a long random key, e.g. openssl rand -hex 24`,
    );
  }
  return sha256(key).toString('hex');
}

/** What a keys file or `API_KEYS` entry may hold instead of a key (`threadstore hash-key`); refuses what start-up would. */
export function hashedEntry(key: string): string {
  if (key.startsWith('sha256:')) throw new Error('this is already a hashed key');
  return `sha256:${digestOf(key)}`;
}

/**
 * Entries `key`, `tenant:key`, `sha256:<hex>` or `tenant:sha256:<hex>` (the SHA-256 of the key); blank
 * entries are skipped (comments are the keys file's business: here a `#` is part of a key). A key without
 * a named tenant is a tenant of its own, named after the key's hash so the key itself is never stored.
 */
export function parseApiKeys(
  entries: string[],
  where: (index: number) => string = (index) => `entry ${index + 1}`,
): ApiKey[] {
  const byDigest = new Map<string, ApiKey>();
  for (const [index, entry] of entries.map((e) => e.trim()).entries()) {
    if (entry === '') continue;
    try {
      const { tenantName, key } = splitEntry(entry);
      const digest = digestOf(key);
      const tenant = tenantName === undefined ? `key:${digest}` : `tenant:${tenantName}`;
      const known = byDigest.get(digest);
      if (known && known.tenant !== tenant) throw new Error('the key is also given for another tenant');
      byDigest.set(digest, { digest, tenant });
    } catch (error) {
      throw new Error(`${where(index)}: ${(error as Error).message}`);
    }
  }
  return [...byDigest.values()];
}

/** A keys file's lines, one entry each, with lines starting with `#` blanked: they are comments. */
export const keysFileEntries = (text: string) =>
  text.split(/\r?\n/).map((line) => (line.trim().startsWith('#') ? '' : line));

/** OpenAI's masking: the first 8 characters, a star for each hidden one, the last 4; 12 or fewer: all stars. */
export function maskKey(key: string): string {
  const chars = [...key];
  if (chars.length <= 12) return '*'.repeat(chars.length);
  return `${chars.slice(0, 8).join('')}${'*'.repeat(chars.length - 12)}${chars.slice(-4).join('')}`;
}

/** What a reload changed, in counts and tenant names: never keys. */
export interface KeyChange {
  keys: number;
  added: number;
  removed: number;
  tenantsAdded: string[];
  tenantsRemoved: string[];
}

/** Named tenants as written in the configuration; a bare key's tenant is left out (its name is a hash). */
const namedTenants = (entries: { tenant: string }[]) =>
  new Set(entries.filter((e) => e.tenant.startsWith('tenant:')).map((e) => e.tenant.slice('tenant:'.length)));

/**
 * Finds a presented key's tenant in time that does not depend on where the key differs: both sides are
 * hashed to the same length, and every configured key is compared. `replace` swaps the whole table at
 * once (a SIGHUP reload), so a request sees either the old keys or the new ones.
 */
export class KeyRing {
  private entries: { digest: Buffer; tenant: string }[];

  constructor(keys: ApiKey[]) {
    this.entries = KeyRing.table(keys);
  }

  private static table(keys: ApiKey[]) {
    return keys.map(({ digest, tenant }) => ({ digest: Buffer.from(digest, 'hex'), tenant }));
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

  replace(keys: ApiKey[]): KeyChange {
    const next = KeyRing.table(keys);
    const key = (e: { digest: Buffer; tenant: string }) => `${e.tenant} ${e.digest.toString('hex')}`;
    const before = new Set(this.entries.map(key));
    const after = new Set(next.map(key));
    const [tenantsBefore, tenantsAfter] = [namedTenants(this.entries), namedTenants(next)];
    this.entries = next;
    return {
      keys: next.length,
      added: [...after].filter((k) => !before.has(k)).length,
      removed: [...before].filter((k) => !after.has(k)).length,
      tenantsAdded: [...tenantsAfter].filter((t) => !tenantsBefore.has(t)),
      tenantsRemoved: [...tenantsBefore].filter((t) => !tenantsAfter.has(t)),
    };
  }
}

/** Whether a stored tenant is one the server gives: '' (no keys), `tenant:NAME` of a named entry, or `key:<hex>`. */
export function isServedTenant(tenant: string): boolean {
  if (tenant === '' || /^key:[0-9a-f]{64}$/.test(tenant)) return true;
  const name = /^tenant:(.*)$/s.exec(tenant)?.[1];
  return name !== undefined && TENANT_NAME.test(name) && !name.startsWith('sk-');
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
