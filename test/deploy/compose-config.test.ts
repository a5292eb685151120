import { expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { composeServices, interpolate } from '../helpers/compose-env.js';

/* No Docker engine runs here: each compose file's environment, interpolated as compose would, goes through the real config. */

const KEY = 'sk-compose-000000000000';
const FILES = ['docker-compose.yml', 'docker-compose.postgres.yml'];

test('compose interpolation as the helper does it', () => {
  expect(interpolate('a ${X} ${Y:-d} ${Z-e} $X $$X', { X: '1', Z: '' })).toBe('a 1 d  1 $X');
  expect(() => interpolate('${X:?set X}', { X: '' })).toThrow('required variable X is missing a value: set X');
  expect(interpolate('${X?set X}', { X: '' })).toBe('');
});

test.each(FILES)(
  '%s: every threadstore service starts with the shell giving API_KEYS, with an init as PID 1',
  (file) => {
    const services = composeServices(file, { API_KEYS: KEY, POSTGRES_PASSWORD: 'change-me' });
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) {
      expect(service.init, service.name).toBe(true);
      const config = loadConfig(service.env);
      expect(config.host).toBe('0.0.0.0');
      expect(config.apiKeys).toHaveLength(1);
    }
  },
);

test.each(FILES)('%s: without API_KEYS compose itself refuses to start, saying how to set it', (file) => {
  for (const API_KEYS of [undefined, '']) {
    expect(() => composeServices(file, { API_KEYS, POSTGRES_PASSWORD: 'change-me' })).toThrow(
      /required variable API_KEYS is missing a value: set API_KEYS, e\.g\. API_KEYS=sk-/,
    );
  }
});

test('docker-compose.postgres.yml: the replicas use PostgreSQL and trust nginx for the client address', () => {
  for (const service of composeServices('docker-compose.postgres.yml', {
    API_KEYS: KEY,
    POSTGRES_PASSWORD: 'change-me',
  })) {
    const config = loadConfig(service.env);
    expect(config.database).toMatchObject({
      engine: 'postgres',
      url: 'postgres://threadstore:change-me@postgres:5432/threadstore',
      poolMax: 10,
    });
    expect(config.trustProxy).toEqual(['uniquelocal']);
  }
});
