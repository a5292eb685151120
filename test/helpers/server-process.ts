import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

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
