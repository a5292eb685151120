import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { builtServerWithScratch, runCli } from '../helpers/server-process.js';

/*
 * `threadstore import` reads a line up to a limit (64 MB, `--max-line-mb` to change it): a longer line
 * fails by number and size, and is never held whole in memory. Before, one 184 MB line took 654 MB of RSS.
 */

const built = builtServerWithScratch('import-line-limit');

function threadLine(id: string, texts: string[]) {
  return JSON.stringify({
    id,
    object: 'thread',
    created_at: 1_700_000_000,
    tool_resources: {},
    metadata: {},
    tenant: '',
    messages: texts.map((value, i) => ({
      id: `msg_${id.slice('thread_'.length)}${String(i).padStart(6, '0')}`,
      object: 'thread.message',
      created_at: 1_700_000_000,
      assistant_id: null,
      thread_id: id,
      run_id: null,
      role: 'user',
      content: [{ type: 'text', text: { value, annotations: [] } }],
      attachments: [],
      metadata: {},
      status: 'completed',
      incomplete_details: null,
      completed_at: 1_700_000_000,
      incomplete_at: null,
    })),
  });
}

let target: TestApp;
let file: string;
/** Two bytes a character in UTF-8, so the limit counts bytes, not characters: 1.5 MB in 150 messages. */
const big = Array.from({ length: 150 }, () => 'é'.repeat(5_000));
beforeAll(async () => {
  target = await buildTestApp();
  file = join(built.dir, 'mixed.jsonl');
  // CRLF line ends, and the last line without one.
  writeFileSync(
    file,
    `${threadLine('thread_small1', ['one'])}\r\n${threadLine('thread_big1', big)}\r\n${threadLine('thread_small2', ['ü 😀'])}`,
  );
});
afterAll(() => target?.close());

const importWith = (...args: string[]) => runCli(built.cli, ['import', file, '--db', target.databaseUrl, ...args]);

test('a line over the limit fails by number and size, saying how to import it; the lines around it import', async () => {
  // The size counts the line's bytes as the file holds them, its CR included.
  const size = ((Buffer.byteLength(threadLine('thread_big1', big)) + 1) / 1e6).toFixed(1);
  expect(size).toBe('1.6');
  expect(await importWith('--max-line-mb', '1')).toEqual({
    code: 1,
    stdout: '',
    stderr:
      `line 2: ${size} MB, longer than the 1 MB a line may have: to import it, run again with --max-line-mb 2 (import holds up to about 5 times a line's size in memory)\n` +
      '\nimported 2 threads, 2 messages; skipped 0 already present; 1 lines failed\n',
  });
  expect(await importWith('--max-line-mb', '2')).toEqual({
    code: 0,
    stdout: '',
    stderr: '\nimported 1 threads, 150 messages; skipped 2 already present; 0 lines failed\n',
  });
  const out = join(built.dir, 'back.jsonl');
  expect((await runCli(built.cli, ['export', '--db', target.databaseUrl, '--out', out])).code).toBe(0);
  const texts = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .map((thread) => [thread.id, thread.messages.map((m: any) => m.content[0].text.value)]);
  expect(Object.fromEntries(texts)).toEqual({ thread_small1: ['one'], thread_big1: big, thread_small2: ['ü 😀'] });
});

test('--max-line-mb takes a whole number from 1', async () => {
  for (const wrong of ['0', '1.5', 'lots']) {
    const result = await importWith('--max-line-mb', wrong);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^--max-line-mb: '${wrong.replace('.', '\\.')}' is not a whole number of MB from 1\\nusage:`),
    );
  }
});
