import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { builtServerWithScratch, runCli } from '../helpers/server-process.js';

/*
 * `threadstore import` checks each line's tenant as the server's keys would make it, and decides "already
 * present" within the tenant the thread goes to. Before, a line of tenant 'deleted:' (the tenant of deleted
 * threads) was counted as imported and purged at the next start, and a thread id of another tenant was
 * reported "already present".
 */

const built = builtServerWithScratch('import-tenants');

const threadLine = (id: string, tenant: string) =>
  JSON.stringify({
    id,
    object: 'thread',
    created_at: 1_700_000_000,
    tool_resources: {},
    metadata: {},
    tenant,
    messages: [],
  });

let target: TestApp;
beforeEach(async () => {
  target = await buildTestApp();
});
afterEach(() => target.close());

function fileOf(name: string, lines: string[]) {
  const file = join(built.dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const importInto = (file: string, ...args: string[]) =>
  runCli(built.cli, ['import', file, '--db', target.databaseUrl, ...args]);

test('a line whose tenant no key can have fails by number and is not stored; --tenant places it', async () => {
  const file = fileOf('tenants.jsonl', [
    threadLine('thread_purged1', 'deleted:'),
    threadLine('thread_spaced1', 'tenant:two words'),
    threadLine('thread_shortkey1', 'key:abc'),
    threadLine('thread_keyprefix1', 'tenant:sk-live'),
    threadLine('thread_open1', ''),
    threadLine('thread_named1', 'tenant:acme'),
    threadLine('thread_hashed1', `key:${'0123456789abcdef'.repeat(4)}`),
  ]);
  const why =
    "is not one the server stores: '' (no API keys), 'tenant:NAME' or 'key:<SHA-256 hex>'; import it with --tenant to choose one";
  expect(await importInto(file)).toEqual({
    code: 1,
    stdout: '',
    stderr: [
      `line 1: tenant 'deleted:' ${why}`,
      `line 2: tenant 'tenant:two words' ${why}`,
      `line 3: tenant 'key:abc' ${why}`,
      `line 4: tenant 'tenant:sk-live' ${why}`,
      '',
      'imported 3 threads, 0 messages; skipped 0 already present; 4 lines failed',
      '',
    ].join('\n'),
  });
  // Nothing of the refused lines was stored: under a tenant of the user's choosing they import.
  const placed = await importInto(file, '--tenant', 'gamma');
  expect(placed.stderr).toBe(
    [
      "line 5: thread id 'thread_open1' is already used by a thread of another tenant",
      "line 6: thread id 'thread_named1' is already used by a thread of another tenant",
      "line 7: thread id 'thread_hashed1' is already used by a thread of another tenant",
      '',
      'imported 4 threads, 0 messages; skipped 0 already present; 3 lines failed',
      '',
    ].join('\n'),
  );
});

test('a thread id already used by another tenant is a failed line, not "already present"; in the same tenant it is skipped', async () => {
  const file = fileOf('alpha.jsonl', [threadLine('thread_alpha1', 'tenant:alpha')]);
  expect((await importInto(file)).code).toBe(0);
  expect(await importInto(file, '--tenant', 'beta')).toEqual({
    code: 1,
    stdout: '',
    stderr:
      "line 1: thread id 'thread_alpha1' is already used by a thread of another tenant\n\nimported 0 threads, 0 messages; skipped 0 already present; 1 lines failed\n",
  });
  expect(await importInto(file, '--tenant', 'alpha')).toEqual({
    code: 0,
    stdout: '',
    stderr: '\nimported 0 threads, 0 messages; skipped 1 already present; 0 lines failed\n',
  });
});

test('copy says which threads another tenant of the target owns, copies the rest, and exits 1', async () => {
  const source = await buildTestApp();
  try {
    const lines = [threadLine('thread_both1', 'tenant:alpha'), threadLine('thread_only1', 'tenant:alpha')];
    expect((await runCli(built.cli, ['import', fileOf('source.jsonl', lines), '--db', source.databaseUrl])).code).toBe(
      0,
    );
    expect((await importInto(fileOf('taken.jsonl', [threadLine('thread_both1', 'tenant:beta')]))).code).toBe(0);
    expect(await runCli(built.cli, ['copy', '--from', source.databaseUrl, '--to', target.databaseUrl])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "thread_both1: thread id 'thread_both1' is already used by a thread of another tenant\n\ncopied 1 threads, 0 messages; skipped 0 already present; 1 failed\n",
    });
  } finally {
    await source.close();
  }
});
