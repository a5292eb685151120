import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildTestApp, testEngine } from './helpers/app.js';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(process.execPath, ['dist/cli.js', ...args], { env: { ...process.env, DATABASE_URL: '' } }).then(
    (out) => ({ code: 0, ...out }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

/** The ids of the records of an export, one JSON object a line. */
const idsOf = (jsonl: string) =>
  jsonl
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).id);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'threadstore-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the threadstore command', () => {
  test.skipIf(testEngine !== 'sqlite')('export, import and copy between database files, with counts', async () => {
    const source = await buildTestApp();
    const thread = await source.app.inject({
      method: 'POST',
      url: '/v1/threads',
      payload: {
        messages: [
          { role: 'user', content: 'one' },
          { role: 'assistant', content: 'two' },
        ],
      },
    });
    await source.app.close();
    const file = join(dir, 'export.jsonl');

    const exported = await cli(['export', '--db', source.dbPath, '--out', file]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain('exported 1 threads, 2 messages');
    const line = JSON.parse(readFileSync(file, 'utf8'));
    expect(line.id).toBe(thread.json().id);
    expect(line.messages.map((m: { content: { text: { value: string } }[] }) => m.content[0]!.text.value)).toEqual([
      'one',
      'two',
    ]);

    const target = join(dir, 'target.db');
    expect((await cli(['import', file, '--db', target])).stderr).toContain('imported 1 threads, 2 messages');
    expect((await cli(['import', file, '--db', target])).stderr).toContain('skipped 1 already present');

    const copied = await cli(['copy', '--from', target, '--to', `sqlite:${join(dir, 'copy.db')}`]);
    expect(copied.stderr).toContain('copied 1 threads, 2 messages');
    const again = await cli(['export', '--db', join(dir, 'copy.db')]);
    expect(again.stdout).toBe(readFileSync(file, 'utf8'));
    await source.close();
  });

  test('--tenant takes the name as API_KEYS writes it, sha256:<hex> for a bare key; a named tenant that matches nothing fails', {
    timeout: 120_000,
  }, async () => {
    const [acmeKey, bareKey] = ['sk-acme-0123456789abcdef', 'sk-bare-0123456789abcdef'];
    const env = { API_KEYS: `acme:${acmeKey},${bareKey}` };
    const source = await buildTestApp(env);
    const create = (key: string, name: string) =>
      source.app.inject({
        method: 'POST',
        url: '/v1/threads',
        headers: { authorization: `Bearer ${key}` },
        payload: { metadata: { name } },
      });
    const acmeThread = (await create(acmeKey, 'acme')).json().id;
    const bareThread = (await create(bareKey, 'bare')).json().id;
    const bareTenant = `sha256:${createHash('sha256').update(bareKey).digest('hex')}`;

    const acme = await cli(['export', '--db', source.databaseUrl, '--tenant', 'acme']);
    expect(acme.code).toBe(0);
    expect(idsOf(acme.stdout)).toEqual([acmeThread]);
    const bare = await cli(['export', '--db', source.databaseUrl, '--tenant', bareTenant]);
    expect(idsOf(bare.stdout)).toEqual([bareThread]);

    const nobody = await cli(['export', '--db', source.databaseUrl, '--tenant', 'acne']);
    expect(nobody.code).toBe(1);
    expect(nobody.stdout).toBe('');
    expect(nobody.stderr).toBe(
      "\nexported 0 threads, 0 messages\nno threads of tenant 'acne' (stored as 'tenant:acne'): check the name against API_KEYS\n",
    );
    const copied = await cli(['copy', '--from', source.databaseUrl, '--to', join(dir, 'copy.db'), '--tenant', 'acne']);
    expect(copied.code).toBe(1);
    expect(copied.stderr).toContain("no threads of tenant 'acne'");
    const wrong = await cli(['export', '--db', source.databaseUrl, '--tenant', 'acme:key']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^--tenant: 'acme:key' names no tenant\nusage:/);

    // Imported into a named tenant, the threads are that tenant's: its key sees them.
    const file = join(dir, 'bare.jsonl');
    writeFileSync(file, bare.stdout);
    const target = await buildTestApp(env);
    expect((await cli(['import', file, '--db', target.databaseUrl, '--tenant', 'acme'])).code).toBe(0);
    const seen = await target.app.inject({
      url: `/v1/threads/${bareThread}`,
      headers: { authorization: `Bearer ${acmeKey}` },
    });
    expect(seen.statusCode).toBe(200);
    expect(seen.json().metadata).toEqual({ name: 'bare' });
    await target.close();
    await source.close();
  });

  test('a malformed line is reported by number and the exit code says so', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"id":"thread_x","object":"thread"}\n');
    const result = await cli(['import', file, '--db', join(dir, 'bad.db')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("line 1: Missing required parameter: 'created_at'.");
  });

  test('a wrong call prints the usage and exits 2', async () => {
    const result = await cli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage:');
  });
});
