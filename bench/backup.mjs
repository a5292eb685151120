// `threadstore backup` of a seeded SQLite database while the server serves it and writers write:
// how long it takes, how big it is, what the writers and /health saw meanwhile.
//   npm run build && node bench/backup.mjs [--messages 1000000] [--keep DIR]
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startServer } from './processes.mjs';
import { seedSqlite } from './seed-sqlite.mjs';

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '1000000' }, keep: { type: 'string' } },
});
const messages = Number(values.messages);
const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'threadstore-bench-backup-'));
const db = join(dir, 'threadstore.db');

if (!existsSync(db)) {
  const started = performance.now();
  seedSqlite(
    db,
    Array.from({ length: Math.ceil(messages / 1000) }, () => 1000),
    { keep: 1 },
  );
  console.log(`seeded ${messages} messages in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const server = await startServer({
  args: ['dist/server.js'],
  env: { DATABASE_URL: db, LOG_LEVEL: 'warn' },
  port: 18_000 + (process.pid % 1000),
  core: 0,
});
const thread = (
  await (
    await fetch(`${server.url}/v1/threads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
  ).json()
).id;

let running = true;
const seen = { writes: 0, failures: 0, slowestHealthMs: 0 };
const writers = Array.from({ length: 4 }, async () => {
  while (running) {
    const res = await fetch(`${server.url}/v1/threads/${thread}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'user', content: 'written during the backup' }),
    });
    await res.arrayBuffer();
    if (res.ok) seen.writes++;
    else seen.failures++;
  }
});
const prober = (async () => {
  while (running) {
    const started = performance.now();
    await (await fetch(`${server.url}/health`)).arrayBuffer();
    seen.slowestHealthMs = Math.max(seen.slowestHealthMs, performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
})();

// The same load without a backup first, for comparison.
await new Promise((resolve) => setTimeout(resolve, 10_000));
const before = { ...seen };
Object.assign(seen, { writes: 0, failures: 0, slowestHealthMs: 0 });

const out = join(dir, 'backup.db');
const started = performance.now();
const { stderr } = await promisify(execFile)(process.execPath, ['dist/cli.js', 'backup', '--db', db, '--out', out]);
const seconds = (performance.now() - started) / 1000;
running = false;
await Promise.all([...writers, prober]);
server.child.kill('SIGTERM');

console.log(stderr.trim());
console.log(
  `without a backup, 10 s: ${before.writes} writes acknowledged, ${before.failures} failed, slowest /health ${before.slowestHealthMs.toFixed(0)} ms`,
);
console.log(
  `backup of ${(statSync(db).size / 1e6).toFixed(0)} MB (${messages} messages): ${seconds.toFixed(1)} s, ${(statSync(out).size / 1e6).toFixed(0)} MB; ` +
    `meanwhile ${seen.writes} writes acknowledged, ${seen.failures} failed, slowest /health ${seen.slowestHealthMs.toFixed(0)} ms`,
);
if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });
