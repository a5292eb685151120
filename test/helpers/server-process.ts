import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

export interface BuiltServer {
  /** The compiled entry point, `node <entry>` runs the real server. */
  entry: string;
  remove(): void;
}

/**
 * Compiles src/ with the project's own build config into a temporary folder laid out like the repository
 * (dist/, and links to migrations/, ui/ and node_modules/), so tests run the real `node dist/server.js`
 * without a tsx loader and without touching the worktree's dist/.
 */
export async function buildServer(): Promise<BuiltServer> {
  const dir = mkdtempSync(join(tmpdir(), 'threadstore-build-'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'migrations'), join(dir, 'migrations'));
  symlinkSync(join(ROOT, 'ui'), join(dir, 'ui'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsc'), [
    '-p',
    join(ROOT, 'tsconfig.build.json'),
    '--outDir',
    join(dir, 'dist'),
  ]);
  return { entry: join(dir, 'dist/server.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface BuiltServerWithScratch {
  /** The compiled server's entry point: `node <entry>` runs the real server. */
  readonly entry: string;
  /** The compiled `threadstore` command. */
  readonly cli: string;
  /** A fresh folder for the file's databases and other files. */
  readonly dir: string;
}

/**
 * For one test file (or describe block): the server built once before its tests, and a scratch folder
 * `threadstore-<name>-…`, both removed after them. Its fields are read in hooks and tests, once built.
 */
export function builtServerWithScratch(name: string): BuiltServerWithScratch {
  let built: BuiltServer | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    built = await buildServer();
    dir = mkdtempSync(join(tmpdir(), `threadstore-${name}-`));
  }, 120_000);
  afterAll(() => {
    built?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const ready = () => {
    if (!built || !dir) throw new Error('builtServerWithScratch: read before its beforeAll ran');
    return { entry: built.entry, dir };
  };
  return {
    get entry() {
      return ready().entry;
    },
    get cli() {
      return join(dirname(ready().entry), 'cli.js');
    },
    get dir() {
      return ready().dir;
    },
  };
}

/** Runs a built `threadstore` command to its end, with only PATH in its environment: its exit code and output. */
export function runCli(cli: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '' } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

export interface ServerProcess {
  child: ChildProcess;
  baseURL: string;
  /** Every line the server wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Starts the built server on a free port of 127.0.0.1 and waits until it listens. */
export async function startServerProcess(entry: string, env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((done) =>
    child.on('exit', (code, signal) => done(code ?? signal ?? 'unknown')),
  );
  const baseURL = await new Promise<string>((done, fail) => {
    const look = () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        child.stdout!.off('data', look);
        done(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    void exited.then((code) => fail(new Error(`server exited (${code}) before listening:\n${output}`)));
  });
  return { child, baseURL, output: () => output, exited };
}

/** Runs a server to completion (it must refuse to start): its exit code and output. */
export async function runServerToExit(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  return { code, output };
}
