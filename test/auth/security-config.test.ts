import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { maskKey } from '../../src/auth/key-ring.js';
import { ConfigError, loadConfig } from '../../src/config.js';

const dir = mkdtempSync(join(tmpdir(), 'threadstore-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = 'sk-one-0000000000000';
const B = 'sk-two-0000000000000';
const C = 'sk-three-00000000000';
const digest = (key: string) => createHash('sha256').update(key).digest('hex');

describe('API_KEYS and API_KEYS_FILE', () => {
  test('tenant:key groups keys; a bare key is a tenant of its own, named without the key', () => {
    const { apiKeys } = loadConfig({ API_KEYS: `acme:${A}, acme:${B} ,${C},,` });
    expect(apiKeys).toEqual([
      { digest: digest(A), tenant: 'tenant:acme' },
      { digest: digest(B), tenant: 'tenant:acme' },
      { digest: digest(C), tenant: `key:${digest(C)}` },
    ]);
  });

  test('a key file adds one entry per line, skipping blanks and # comments', () => {
    const file = join(dir, 'keys');
    writeFileSync(file, `# production keys\nacme:${B}\r\n\n  ${C}  \n   # indented comment\n`);
    const { apiKeys } = loadConfig({ API_KEYS: `acme:${A}`, API_KEYS_FILE: file });
    expect(apiKeys.map((k) => k.digest)).toEqual([digest(A), digest(B), digest(C)]);
    expect(apiKeys[1]!.tenant).toBe('tenant:acme');
  });

  test('in API_KEYS a # starts no comment: it is part of a key', () => {
    const key = '#sk-hash-start-000000';
    expect(loadConfig({ API_KEYS: key }).apiKeys).toEqual([{ digest: digest(key), tenant: `key:${digest(key)}` }]);
  });

  test('a colon splits off a tenant only before a tenant name and a plausible key; else it is part of the key', () => {
    const keyed = (API_KEYS: string) => loadConfig({ API_KEYS }).apiKeys;
    // Keys start with sk-, tenant names do not: an sk- key with a colon is one key.
    expect(keyed('sk-proj-abcdefgh:ijklmnopqrstuvwx')).toEqual([
      {
        digest: digest('sk-proj-abcdefgh:ijklmnopqrstuvwx'),
        tenant: `key:${digest('sk-proj-abcdefgh:ijklmnopqrstuvwx')}`,
      },
    ]);
    // After the colon too short to be a key: the whole entry is the key.
    expect(keyed('team-a-long-prefix:short')[0]!.tenant).toBe(`key:${digest('team-a-long-prefix:short')}`);
    // Not a tenant name (a space, a slash): the whole entry is the key, which may not hold spaces.
    expect(keyed('a/b:sk-slash-00000000000')[0]!.tenant).toBe(`key:${digest('a/b:sk-slash-00000000000')}`);
    expect(() => keyed('my team:sk-space-00000000000')).toThrow(/API_KEYS: entry 1: the key has spaces in it/);
    // Split at the first colon only: the key keeps the others.
    expect(keyed('acme:sk-a:b:c-000000000000')).toEqual([
      { digest: digest('sk-a:b:c-000000000000'), tenant: 'tenant:acme' },
    ]);
  });

  test('a key shorter than 16 characters stops start-up with one line naming the entry, not the key', () => {
    for (const API_KEYS of ['sk-proj-abc:d', `${A},sk-a`]) {
      expect(() => loadConfig({ API_KEYS })).toThrow(ConfigError);
      try {
        loadConfig({ API_KEYS });
      } catch (error) {
        const message = (error as Error).message;
        expect(message).toMatch(/^API_KEYS: entry \d: the key is shorter than 16 characters; use a long random key/);
        expect(message).not.toMatch(/sk-a\b|abc:d/);
        expect(message).not.toContain('\n');
      }
    }
    expect(loadConfig({ API_KEYS: 'sk-exactly-16-ch' }).apiKeys).toHaveLength(1);
  });

  test('hashed entries: tenant:sha256:<hex> or sha256:<hex>, mixed with plain ones; a bad digest stops start-up', () => {
    const file = join(dir, 'hashed-keys');
    writeFileSync(file, `acme:sha256:${digest(A)}\nsha256:${digest(B)}\nacme:${C}\n`);
    const { apiKeys } = loadConfig({ API_KEYS_FILE: file });
    expect(apiKeys).toEqual([
      { digest: digest(A), tenant: 'tenant:acme' },
      { digest: digest(B), tenant: `key:${digest(B)}` },
      { digest: digest(C), tenant: 'tenant:acme' },
    ]);
    // A bare hashed key names the same tenant as the plain key would.
    expect(loadConfig({ API_KEYS: B }).apiKeys).toEqual([apiKeys[1]]);
    for (const bad of [`acme:sha256:${digest(A).toUpperCase()}`, `acme:sha256:${digest(A).slice(1)}`, 'sha256:']) {
      writeFileSync(file, `# keys\n${bad}\n`);
      expect(() => loadConfig({ API_KEYS_FILE: file }), bad).toThrow(
        `API_KEYS_FILE '${file}': line 2: a hashed key needs exactly 64 lowercase hex digits after 'sha256:'`,
      );
    }
  });

  test('an unreadable key file, an empty tenant or a key given to two tenants stops start-up', () => {
    expect(() => loadConfig({ API_KEYS_FILE: join(dir, 'absent') })).toThrow(/API_KEYS_FILE: cannot read/);
    expect(() => loadConfig({ API_KEYS: ':sk-x-00000000000000' })).toThrow(/empty tenant/);
    expect(() => loadConfig({ API_KEYS: 'a:sk-same-key-0000000,b:sk-same-key-0000000' })).toThrow(ConfigError);
    try {
      loadConfig({ API_KEYS: 'a:sk-same-key-0000000,b:sk-same-key-0000000' });
    } catch (error) {
      expect((error as Error).message).toBe('API_KEYS: entry 2: the key is also given for another tenant');
    }
    const file = join(dir, 'same-key');
    writeFileSync(file, `b:sha256:${digest('sk-same-key-0000000')}\n`);
    expect(() => loadConfig({ API_KEYS: 'a:sk-same-key-0000000', API_KEYS_FILE: file })).toThrow(
      'API_KEYS and API_KEYS_FILE together: entry 2: the key is also given for another tenant',
    );
  });

  test('masking: first 8, a star per hidden character, last 4; 12 or fewer all stars', () => {
    expect(maskKey('sk-abc12345678wxyz')).toBe('sk-abc12******wxyz');
    expect(maskKey('abcdefghijklm')).toBe('abcdefgh*jklm');
    expect(maskKey('abcdefghijkl')).toBe('************');
    expect(maskKey('')).toBe('');
  });
});

describe('secure by default', () => {
  test('a non-loopback HOST without keys refuses to start, saying how to set keys', () => {
    for (const HOST of ['0.0.0.0', '::', '192.168.1.10', 'example.internal']) {
      expect(() => loadConfig({ HOST }), HOST).toThrow(
        /Refusing to listen on .* without API keys.*API_KEYS.*ALLOW_UNAUTHENTICATED=true/,
      );
    }
  });

  test('loopback hosts, keys, or ALLOW_UNAUTHENTICATED=true let it start', () => {
    for (const HOST of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(loadConfig({ HOST }).host).toBe(HOST);
    expect(loadConfig({ HOST: '0.0.0.0', API_KEYS: A }).apiKeys).toHaveLength(1);
    expect(loadConfig({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' }).apiKeys).toEqual([]);
    expect(() => loadConfig({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'yes' })).toThrow(/ALLOW_UNAUTHENTICATED/);
  });
});

describe('the other security settings', () => {
  test('RATE_LIMIT_PER_MINUTE, CORS_ORIGINS and SQLITE_SYNCHRONOUS are read and checked', () => {
    const config = loadConfig({
      RATE_LIMIT_PER_MINUTE: '120',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      SQLITE_SYNCHRONOUS: 'full',
    });
    expect(config.rateLimitPerMinute).toBe(120);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.database).toMatchObject({ engine: 'sqlite', synchronous: 'full' });
    const defaults = loadConfig({});
    expect(defaults.rateLimitPerMinute).toBeUndefined();
    expect(defaults.corsOrigins).toEqual([]);
    expect(defaults.database).toMatchObject({ engine: 'sqlite', synchronous: 'normal' });
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: 'lots' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => loadConfig({ SQLITE_SYNCHRONOUS: 'off' })).toThrow(/SQLITE_SYNCHRONOUS/);
    expect(loadConfig({ TRUST_PROXY: 'uniquelocal' }).trustProxy).toEqual(['uniquelocal']);
    expect(loadConfig({ TRUST_PROXY: '172.16.0.0/12,fd00::/8' }).trustProxy).toEqual(['172.16.0.0/12', 'fd00::/8']);
    for (const bad of ['nginx', '10.0.0.0/33', '10.0.0.1/8/8', 'true', '1']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(
        /^TRUST_PROXY must be comma-separated proxy addresses, CIDR blocks/,
      );
    }
  });
});
