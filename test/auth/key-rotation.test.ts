import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { testEngine } from '../helpers/app.js';
import { createTestSchema } from '../helpers/postgres.js';
import { type BuiltServer, buildServer, type ServerProcess, startServerProcess } from '../helpers/server-process.js';

/*
 * The real server as a child process: SIGHUP re-reads API_KEYS_FILE, the file may hold hashed keys that
 * `threadstore hash-key` prints, and an address sending wrong keys is slowed down to a few per minute.
 */

const KEEP = 'sk-keep-0000000000000000';
const OLD = 'sk-old-00000000000000000';
const NEW = 'sk-new-00000000000000000';
const HASHED = 'sk-hashed-000000000000000';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let built: BuiltServer;
let dir: string;
let keysFile: string;
const servers: ServerProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  built = await buildServer();
  dir = mkdtempSync(join(tmpdir(), 'threadstore-keys-'));
  keysFile = join(dir, 'keys');
}, 120_000);
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(() => {
  built?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function databaseUrl(): Promise<string> {
  if (testEngine === 'sqlite') return join(mkdtempSync(join(dir, 'db-')), 'threadstore.db');
  const database = await createTestSchema(inject('postgresTestsUrl'));
  cleanups.push(database.drop);
  return database.url;
}

async function start(env: Record<string, string>) {
  const server = await startServerProcess(built.entry, {
    DATABASE_URL: await databaseUrl(),
    API_KEYS_FILE: keysFile,
    ...env,
  });
  servers.push(server);
  return server;
}

const statusWith = async (server: ServerProcess, key: string) =>
  (await fetch(`${server.baseURL}/v1/threads`, { method: 'POST', headers: { authorization: `Bearer ${key}` } })).status;

function hashKey(key: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [join(dirname(built.entry), 'cli.js'), 'hash-key'],
      (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
    child.stdin!.end(key);
  });
}

/** Waits for a log line matching `pattern` and returns it parsed. */
async function logLine(server: ServerProcess, pattern: RegExp, after = 0) {
  for (let tries = 0; tries < 100; tries++) {
    const line = server
      .output()
      .slice(after)
      .split('\n')
      .find((l) => pattern.test(l));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no log line ${pattern} in:\n${server.output()}`);
}

describe('hashed keys', () => {
  test('hash-key prints the sha256: entry of the key on stdin; such an entry lets the key in, the digest itself not', async () => {
    const printed = await hashKey(`${HASHED}\n`);
    expect(printed).toEqual({ code: 0, stdout: `sha256:${sha256(HASHED)}\n`, stderr: '' });
    const short = await hashKey('sk-short');
    expect(short.code).toBe(1);
    expect(short.stderr).toBe(
      'hash-key: the key is shorter than 16 characters; use a long random key, e.g. openssl rand -hex 24\n',
    );

    writeFileSync(keysFile, `# hashed and plain entries mix\nacme:${printed.stdout.trim()}\nacme:${KEEP}\n`);
    const server = await start({});
    expect(await statusWith(server, HASHED)).toBe(200);
    expect(await statusWith(server, KEEP)).toBe(200);
    for (const digest of [sha256(HASHED), `sha256:${sha256(HASHED)}`, `acme:sha256:${sha256(HASHED)}`]) {
      expect(await statusWith(server, digest), digest).toBe(401);
    }
    // One tenant: the thread created with one key is read with the other.
    const created = await (
      await fetch(`${server.baseURL}/v1/threads`, { method: 'POST', headers: { authorization: `Bearer ${HASHED}` } })
    ).json();
    const read = await fetch(`${server.baseURL}/v1/threads/${created.id}`, {
      headers: { authorization: `Bearer ${KEEP}` },
    });
    expect(read.status).toBe(200);
  });
});

describe('SIGHUP', () => {
  test('re-reads the keys file: a new key works within a second, a removed one gets 401, nothing in flight fails', async () => {
    writeFileSync(keysFile, `acme:${KEEP}\nacme:${OLD}\n`);
    const server = await start({});
    expect(await statusWith(server, OLD)).toBe(200);
    expect(await statusWith(server, NEW)).toBe(401);

    // Requests keep going with the key that stays, across the reload.
    let loading = true;
    const statuses: number[] = [];
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (loading) statuses.push(await statusWith(server, KEEP));
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    writeFileSync(keysFile, `acme:${KEEP}\nglobex:${NEW}\n`);
    const logged = server.output().length;
    const signalled = performance.now();
    server.child.kill('SIGHUP');
    while ((await statusWith(server, NEW)) !== 200) {
      expect(performance.now() - signalled).toBeLessThan(1000);
    }
    const latency = performance.now() - signalled;
    await new Promise((resolve) => setTimeout(resolve, 200));
    loading = false;
    await load;

    console.info(`a new key answered 200 ${latency.toFixed(0)} ms after SIGHUP`);
    expect(await statusWith(server, OLD)).toBe(401);
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(server.child.exitCode).toBeNull();
    const line = await logLine(server, /API keys reloaded/, logged);
    expect(line).toMatchObject({
      level: 30,
      keys: 2,
      added: 1,
      removed: 1,
      tenantsAdded: ['globex'],
      tenantsRemoved: [],
    });
    expect(server.output()).not.toMatch(/sk-(keep|old|new)-/);
  });

  test('a file that does not parse keeps every previous key and says why; the next valid file applies on the next SIGHUP', async () => {
    writeFileSync(keysFile, `acme:${KEEP}\nacme:${OLD}\n`);
    const server = await start({});

    writeFileSync(keysFile, `acme:${KEEP}\nacme:${NEW}\nglobex:\n`);
    let logged = server.output().length;
    server.child.kill('SIGHUP');
    const refused = await logLine(server, /API keys not reloaded/, logged);
    expect(refused).toMatchObject({
      level: 50,
      keys: 2,
      reason: `API_KEYS_FILE '${keysFile}': line 3: the key is shorter than 16 characters; use a long random key, e.g. openssl rand -hex 24`,
    });
    expect(await statusWith(server, OLD)).toBe(200);
    expect(await statusWith(server, KEEP)).toBe(200);
    expect(await statusWith(server, NEW)).toBe(401);

    writeFileSync(keysFile, `acme:${KEEP}\nacme:${NEW}\n`);
    logged = server.output().length;
    server.child.kill('SIGHUP');
    await logLine(server, /API keys reloaded/, logged);
    expect(await statusWith(server, NEW)).toBe(200);
    expect(await statusWith(server, OLD)).toBe(401);

    // A file left empty would lock every client out: refused like a file that does not parse.
    writeFileSync(keysFile, '# nothing yet\n');
    logged = server.output().length;
    server.child.kill('SIGHUP');
    expect(await logLine(server, /API keys not reloaded/, logged)).toMatchObject({ reason: 'no keys left' });
    expect(await statusWith(server, NEW)).toBe(200);
  });

  test('a server without keys stays up and open on SIGHUP', async () => {
    writeFileSync(keysFile, '');
    const server = await start({ API_KEYS_FILE: '' });
    const logged = server.output().length;
    server.child.kill('SIGHUP');
    await logLine(server, /started without API keys and stays open/, logged);
    expect(await statusWith(server, 'anything')).toBe(200);
  });
});

describe('incorrect keys', () => {
  test('an address that sent AUTH_FAILURES_PER_MINUTE wrong keys gets 429 for the rest of the minute, right key or not', async () => {
    writeFileSync(keysFile, `${KEEP}\n`);
    const server = await start({ AUTH_FAILURES_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) expect(await statusWith(server, `sk-guess-${i}-000000000000000`)).toBe(401);
    for (const key of ['sk-guess-3-000000000000000', KEEP]) {
      const res = await fetch(`${server.baseURL}/v1/threads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(55);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await res.json()).toEqual({
        error: {
          message: `Too many requests with an incorrect API key from your address. Please try again in ${retryAfter}s.`,
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      });
    }
    expect((await fetch(`${server.baseURL}/health`)).status).toBe(200);
    // A request without a key guesses nothing: it still gets the 401 that asks for one.
    expect((await fetch(`${server.baseURL}/v1/threads`, { method: 'POST' })).status).toBe(401);
  });

  test('behind a proxy named in TRUST_PROXY, each client of X-Forwarded-For is counted apart', async () => {
    writeFileSync(keysFile, `${KEEP}\n`);
    const server = await start({ AUTH_FAILURES_PER_MINUTE: '2', TRUST_PROXY: 'loopback' });
    const from = async (client: string, key: string) =>
      (
        await fetch(`${server.baseURL}/v1/threads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': client },
        })
      ).status;
    const guess = 'sk-guess-0000000000000000';
    expect([
      await from('203.0.113.1', guess),
      await from('203.0.113.1', guess),
      await from('203.0.113.1', KEEP),
    ]).toEqual([401, 401, 429]);
    expect(await from('203.0.113.2', KEEP)).toBe(200);
  });
});
