import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { expect, test } from 'vitest';
import { parse } from 'yaml';

/* No Docker engine runs here: the Dockerfile is linted, and its promises are checked against the repository. */

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const dockerfile = read('Dockerfile');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const all = (keyword: string) =>
  instructions.filter((line) => line.startsWith(`${keyword} `)).map((line) => line.slice(keyword.length + 1));
const runtimeStart = instructions.map((line) => line.startsWith('FROM ')).lastIndexOf(true);
const runtime = instructions.slice(runtimeStart);
const packageJson = JSON.parse(read('package.json'));

test('the Dockerfile lints clean with dockerfile-utils', () => {
  expect(validate(dockerfile)).toEqual([]);
});

test('both stages use one official Node LTS slim image pinned by tag, the major CI also tests', () => {
  const images = all('FROM').map((from) => from.split(' ')[0]);
  expect(images).toHaveLength(2);
  expect(new Set(images).size).toBe(1);
  const major = /^node:(\d+)-bookworm-slim$/.exec(images[0]!)?.[1];
  expect(Number(major) % 2, 'an LTS (even) major').toBe(0);
  expect(read('.ci/node-lts.sh')).toContain(`NODE_LTS_MAJOR:-${major}}`);
  expect(packageJson.engines.node).toBe('>=20');
});

test('the runtime stage runs the server as node, on /data, with a node healthcheck', () => {
  expect(runtime).toEqual(
    expect.arrayContaining([
      'ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATABASE_URL=/data/threadstore.db',
      'USER node',
      'VOLUME /data',
      'EXPOSE 8080',
      'CMD ["node", "dist/server.js"]',
    ]),
  );
  expect(runtime.indexOf('USER node')).toBeLessThan(runtime.findIndex((l) => l.startsWith('CMD ')));
  expect(all('HEALTHCHECK')).toEqual([expect.stringMatching(/ CMD \["node", "dist\/healthcheck\.js"\]$/)]);
  expect(statSync(new URL('src/healthcheck.ts', root)).isFile()).toBe(true);
  expect(runtime.some((l) => /npm (ci|install)(?!.*--omit=dev)/.test(l))).toBe(false);
});

test('every path the image copies from the context exists and is not excluded by .dockerignore', () => {
  const ignored = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const sources = all('COPY')
    .filter((copy) => !copy.startsWith('--from='))
    .flatMap((copy) => copy.split(/\s+/).slice(0, -1));
  expect(sources.length).toBeGreaterThan(0);
  for (const source of sources) {
    expect(statSync(new URL(source, root)), source).toBeTruthy();
    expect(ignored, source).not.toContain(source.replace(/^\.\//, ''));
  }
});

test('everything src/ imports at run time is a production dependency (the image prunes devDependencies)', () => {
  const files = (dir: string): string[] =>
    readdirSync(new URL(dir, root), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(`${dir}/${entry.name}`) : [join(dir, entry.name)],
    );
  const builtins = new Set(builtinModules);
  const imported = new Set<string>();
  for (const file of files('src').filter((f) => f.endsWith('.ts'))) {
    for (const [, specifier] of read(file).matchAll(/^import (?!type )[^'"]*['"]([^'"]+)['"]/gm)) {
      if (specifier!.startsWith('.') || specifier!.startsWith('node:') || builtins.has(specifier!)) continue;
      const parts = specifier!.split('/');
      imported.add(specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  expect(imported.size).toBeGreaterThan(5);
  for (const name of imported) expect(packageJson.dependencies, name).toHaveProperty([name]);
});

test('docker-compose.yml runs the image with a named volume on /data and API_KEYS from the environment', () => {
  const compose = parse(read('docker-compose.yml'));
  const service = compose.services.threadstore;
  expect(service.build).toBe('.');
  expect(service.init).toBe(true);
  expect(service.environment.API_KEYS).toMatch(/^\$\{API_KEYS/);
  const [volume, target] = service.volumes[0].split(':');
  expect(target).toBe('/data');
  expect(compose.volumes).toHaveProperty([volume]);
});
