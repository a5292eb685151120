import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The virtualenv lives in the worktree's own cache, so concurrent checkouts never share one. */
const VENV = fileURLToPath(new URL('../../node_modules/.cache/threadstore-python-sdk', import.meta.url));
const VENV_PYTHON = join(VENV, 'bin', 'python');

export type PythonSdk = { python: string } | { skip: string };

function lastLine(error: unknown): string {
  const { stderr, message } = error as { stderr?: string; message?: string };
  const text = (stderr?.trim() || message || String(error)).trim();
  return text.split('\n').at(-1) ?? text;
}

async function hasOpenai(python: string): Promise<boolean> {
  if (!existsSync(python)) return false;
  try {
    await run(python, ['-c', 'import openai'], { timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * A Python with the official `openai` package, set up once and reused; or the reason there cannot be one
 * on this machine (no python3, no venv module, or PyPI unreachable), for the test to skip with.
 */
export async function preparePythonSdk(): Promise<PythonSdk> {
  if (await hasOpenai(VENV_PYTHON)) return { python: VENV_PYTHON };
  try {
    await run('python3', ['--version'], { timeout: 30_000 });
  } catch (error) {
    return { skip: `python3 is not available: ${lastLine(error)}` };
  }
  rmSync(VENV, { recursive: true, force: true });
  mkdirSync(dirname(VENV), { recursive: true });
  try {
    await run('python3', ['-m', 'venv', VENV], { timeout: 120_000 });
  } catch (error) {
    return { skip: `python3 -m venv failed: ${lastLine(error)}` };
  }
  try {
    // No retries: an unreachable index fails at once instead of backing off for minutes.
    await run(
      VENV_PYTHON,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--retries', '0', '--timeout', '15', 'openai'],
      { timeout: 240_000 },
    );
  } catch (error) {
    rmSync(VENV, { recursive: true, force: true });
    return { skip: `pip install openai failed (is PyPI reachable?): ${lastLine(error)}` };
  }
  if (!(await hasOpenai(VENV_PYTHON))) return { skip: 'openai was installed but cannot be imported' };
  return { python: VENV_PYTHON };
}

/** The path of a script kept under test/python/. */
export const pythonScript = (name: string) => fileURLToPath(new URL(`../python/${name}`, import.meta.url));

/** Runs a Python file with the SDK's Python and returns its stdout. */
export async function runPython(python: string, file: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(python, [file, ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}
