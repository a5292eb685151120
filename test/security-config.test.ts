import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { maskKey } from '../src/api-keys.js';
import { ConfigError, loadConfig } from '../src/config.js';

const dir = mkdtempSync(join(tmpdir(), 'threadstore-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('API_KEYS and API_KEYS_FILE', () => {
  test('tenant:key groups keys; a bare key is a tenant of its own, named without the key', () => {
    const { apiKeys } = loadConfig({ API_KEYS: 'acme:sk-one, acme:sk-two ,sk-three,,' });
    expect(apiKeys.map((k) => k.key)).toEqual(['sk-one', 'sk-two', 'sk-three']);
    expect(apiKeys[0]!.tenant).toBe(apiKeys[1]!.tenant);
    expect(apiKeys[2]!.tenant).not.toBe(apiKeys[0]!.tenant);
    expect(apiKeys[2]!.tenant).not.toContain('sk-three');
  });

  test('a key file adds one entry per line, skipping blanks and comments', () => {
    const file = join(dir, 'keys');
    writeFileSync(file, '# production keys\nacme:sk-file-one\r\n\n  sk-file-two  \n');
    const { apiKeys } = loadConfig({ API_KEYS: 'acme:sk-env', API_KEYS_FILE: file });
    expect(apiKeys.map((k) => k.key)).toEqual(['sk-env', 'sk-file-one', 'sk-file-two']);
    expect(apiKeys[1]!.tenant).toBe(apiKeys[0]!.tenant);
  });

  test('an unreadable key file, an empty tenant or a key given to two tenants stops start-up', () => {
    expect(() => loadConfig({ API_KEYS_FILE: join(dir, 'absent') })).toThrow(/API_KEYS_FILE: cannot read/);
    expect(() => loadConfig({ API_KEYS: ':sk-x' })).toThrow(/empty tenant/);
    expect(() => loadConfig({ API_KEYS: 'a:sk-same-key-0000000,b:sk-same-key-0000000' })).toThrow(ConfigError);
    try {
      loadConfig({ API_KEYS: 'a:sk-same-key-0000000,b:sk-same-key-0000000' });
    } catch (error) {
      expect((error as Error).message).not.toContain('sk-same-key-0000000');
    }
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
      expect(() => loadConfig({ HOST }), HOST).toThrow(/Refusing to listen on .* without API keys.*API_KEYS.*ALLOW_UNAUTHENTICATED=true/);
    }
  });

  test('loopback hosts, keys, or ALLOW_UNAUTHENTICATED=true let it start', () => {
    for (const HOST of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(loadConfig({ HOST }).host).toBe(HOST);
    expect(loadConfig({ HOST: '0.0.0.0', API_KEYS: 'sk-a' }).apiKeys).toHaveLength(1);
    expect(loadConfig({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' }).apiKeys).toEqual([]);
    expect(() => loadConfig({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'yes' })).toThrow(/ALLOW_UNAUTHENTICATED/);
  });
});

describe('the other security settings', () => {
  test('RATE_LIMIT_PER_MINUTE, CORS_ORIGINS and SQLITE_SYNCHRONOUS are read and checked', () => {
    const config = loadConfig({ RATE_LIMIT_PER_MINUTE: '120', CORS_ORIGINS: 'https://a.example, https://b.example', SQLITE_SYNCHRONOUS: 'full' });
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
  });
});
