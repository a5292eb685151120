import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The majors of openai-python tested, each in a virtualenv of its own. */
export const PYTHON_SDK_MAJORS = [2, 3] as const;
export type PythonSdkMajor = (typeof PYTHON_SDK_MAJORS)[number];

/** The virtualenvs live in the worktree's own cache, so concurrent checkouts never share one. */
const venvOf = (major: PythonSdkMajor) =>
  fileURLToPath(new URL(`../../node_modules/.cache/threadstore-python-sdk-openai${major}`, import.meta.url));
const pythonOf = (venv: string) => join(venv, 'bin', 'python');

export type PythonSdk = { python: string } | { skip: string };

function lastLine(error: unknown): string {
  const { stderr, message } = error as { stderr?: string; message?: string };
  const text = (stderr?.trim() || message || String(error)).trim();
  return text.split('\n').at(-1) ?? text;
}

/** Whether this Python imports an `openai` of that major. */
async function hasOpenai(python: string, major: PythonSdkMajor): Promise<boolean> {
  if (!existsSync(python)) return false;
  try {
    const { stdout } = await run(python, ['-c', 'import openai; print(openai.__version__)'], { timeout: 60_000 });
    return stdout.trim().split('.')[0] === String(major);
  } catch {
    return false;
  }
}

/**
 * A Python with the newest `openai` of one major (`openai>=M,<M+1`), set up once and reused; or the reason
 * there cannot be one on this machine (no python3, no venv module, or no index pip can install it from),
 * for the test to skip with. The virtualenv is built under a temporary name and renamed into place, so two
 * test projects preparing it at once never see half of one.
 */
export async function preparePythonSdk(major: PythonSdkMajor): Promise<PythonSdk> {
  const venv = venvOf(major);
  if (await hasOpenai(pythonOf(venv), major)) return { python: pythonOf(venv) };
  try {
    await run('python3', ['--version'], { timeout: 30_000 });
  } catch (error) {
    return { skip: `python3 is not available: ${lastLine(error)}` };
  }
  mkdirSync(dirname(venv), { recursive: true });
  const building = `${venv}.building-${process.pid}-${Date.now()}`;
  try {
    await run('python3', ['-m', 'venv', building], { timeout: 120_000 });
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    return { skip: `python3 -m venv failed: ${lastLine(error)}` };
  }
  const requirement = `openai>=${major},<${major + 1}`;
  try {
    // No retries: an unreachable index fails at once instead of backing off for minutes.
    await run(
      pythonOf(building),
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--retries',
        '0',
        '--timeout',
        '15',
        requirement,
      ],
      { timeout: 240_000 },
    );
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    return { skip: `pip install '${requirement}' failed (no index reachable that has it?): ${lastLine(error)}` };
  }
  if (await hasOpenai(pythonOf(venv), major)) {
    rmSync(building, { recursive: true, force: true }); // another test project finished first: use its one
  } else {
    rmSync(venv, { recursive: true, force: true });
    renameSync(building, venv);
  }
  if (!(await hasOpenai(pythonOf(venv), major))) return { skip: `${requirement} was installed but cannot be imported` };
  return { python: pythonOf(venv) };
}

/** The path of a script kept under test/sdk/python/. */
export const pythonScript = (name: string) => fileURLToPath(new URL(`../sdk/python/${name}`, import.meta.url));

/** Runs a Python file with the SDK's Python and returns its stdout. */
export async function runPython(python: string, file: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(python, [file, ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}
