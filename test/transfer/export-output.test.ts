import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildTestApp, describeSqliteOnly, type TestApp } from '../helpers/app.js';
import { builtServerWithScratch, runCli } from '../helpers/server-process.js';

/*
 * `threadstore export --out FILE` writes FILE.partial and renames it when the export succeeds: a failed
 * run leaves FILE as it was (before, `--tenant nosuch` left it empty), a killed one never leaves it cut
 * short, and a folder is refused before anything is read.
 */

const built = builtServerWithScratch('export-output');

/** About 24 MB in 400 threads: an export takes long enough to be killed half-way. */
function bigExport(): string {
  const text = 'z'.repeat(60_000);
  const lines = Array.from({ length: 400 }, (_, i) => {
    const id = `thread_out${String(i).padStart(20, '0')}`;
    const message = {
      id: `msg_out${String(i).padStart(20, '0')}`,
      object: 'thread.message',
      created_at: 1_700_000_000,
      assistant_id: null,
      thread_id: id,
      run_id: null,
      role: 'user',
      content: [{ type: 'text', text: { value: text, annotations: [] } }],
      attachments: [],
      metadata: {},
      status: 'completed',
      incomplete_details: null,
      completed_at: 1_700_000_000,
      incomplete_at: null,
    };
    return JSON.stringify({
      id,
      object: 'thread',
      created_at: 1_700_000_000,
      tool_resources: {},
      metadata: {},
      tenant: '',
      messages: [message],
    });
  });
  return `${lines.join('\n')}\n`;
}

let source: TestApp;
beforeAll(async () => {
  source = await buildTestApp();
  const file = join(built.dir, 'seed.jsonl');
  writeFileSync(file, bigExport());
  expect((await runCli(built.cli, ['import', file, '--db', source.databaseUrl])).code).toBe(0);
}, 120_000);
afterAll(() => source?.close());

describe('export --out', () => {
  test('a run that fails leaves an existing file as it was, with nothing beside it', async () => {
    const out = join(built.dir, 'existing.jsonl');
    writeFileSync(out, 'precious\n');
    const result = await runCli(built.cli, ['export', '--db', source.databaseUrl, '--tenant', 'nosuch', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no threads of tenant 'nosuch'");
    expect(readFileSync(out, 'utf8')).toBe('precious\n');
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  test('a folder, or a file in a missing folder, is refused in one line before anything is read', async () => {
    const folder = join(built.dir, 'exports');
    mkdirSync(folder);
    expect(await runCli(built.cli, ['export', '--db', source.databaseUrl, '--out', folder])).toEqual({
      code: 1,
      stdout: '',
      stderr: `export: --out ${folder} is a folder: name the file to write, e.g. ${join(folder, 'threadstore-export.jsonl')}.\n`,
    });
    const missing = join(built.dir, 'nowhere', 'out.jsonl');
    expect(await runCli(built.cli, ['export', '--db', source.databaseUrl, '--out', missing])).toEqual({
      code: 1,
      stdout: '',
      stderr: `export: --out ${missing}: the folder ${join(built.dir, 'nowhere')} does not exist.\n`,
    });
    expect(readdirSync(folder)).toEqual([]);
    expect(existsSync(`${folder}.partial`)).toBe(false);
  });

  test('killed half-way, by SIGTERM or SIGKILL, the file is never cut short; the next run replaces what SIGKILL left', {
    timeout: 60_000,
  }, async () => {
    const out = join(built.dir, 'killed.jsonl');
    writeFileSync(out, 'precious\n');
    const partial = `${out}.partial`;

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const child = spawn(process.execPath, [built.cli, 'export', '--db', source.databaseUrl, '--out', out], {
        env: { PATH: process.env.PATH ?? '' },
        stdio: 'ignore',
      });
      let ended = false;
      const exited = new Promise<number | string>((done) =>
        child.on('exit', (code, sig) => {
          ended = true;
          done(code ?? sig!);
        }),
      );
      while ((statSync(partial, { throwIfNoEntry: false })?.size ?? 0) < 1_000_000) {
        expect(ended, 'the export ended before it could be killed').toBe(false);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      child.kill(signal);
      expect(await exited).toBe(signal === 'SIGTERM' ? 143 : 'SIGKILL');
      expect(readFileSync(out, 'utf8')).toBe('precious\n');
      expect(existsSync(partial)).toBe(signal === 'SIGKILL');
    }

    const whole = await runCli(built.cli, ['export', '--db', source.databaseUrl, '--out', out]);
    expect(whole.code).toBe(0);
    expect(existsSync(partial)).toBe(false);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(400);
    for (const line of lines) expect(JSON.parse(line).object).toBe('thread');
  });
});

describeSqliteOnly('export --out on SQLite', () => {
  test('the database being exported, or its -wal, is refused', async () => {
    for (const [out, what] of [
      [source.dbPath, 'the database being exported'],
      [`${source.dbPath}-wal`, 'the -wal file of the database being exported'],
    ]) {
      expect(await runCli(built.cli, ['export', '--db', source.dbPath, '--out', out!])).toEqual({
        code: 1,
        stdout: '',
        stderr: `export: --out ${out} is ${what}: name another file.\n`,
      });
    }
    const again = join(built.dir, 'again.jsonl');
    expect((await runCli(built.cli, ['export', '--db', source.dbPath, '--out', again])).stderr).toBe(
      '\nexported 400 threads, 400 messages\n',
    );
  });
});
