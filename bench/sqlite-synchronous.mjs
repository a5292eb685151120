// What SQLITE_SYNCHRONOUS=full costs against the default normal: message creates through the real store,
// one transaction each as the API does, on a fresh file per run. Run: npm run build && node bench/sqlite-synchronous.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../dist/store/sqlite/sqlite-store.js';
import { itemViews } from '../dist/views/response-json.js';

const WRITES = Number(process.env.WRITES ?? 2000);
const ROUNDS = 3;
const message = {
  role: 'user',
  content: [{ type: 'text', text: { value: 'x'.repeat(200), annotations: [] } }],
  attachments: [],
  metadata: {},
};

async function run(synchronous) {
  const dir = mkdtempSync(join(tmpdir(), 'threadstore-sync-'));
  const store = openSqliteStore({ path: join(dir, 'bench.db'), synchronous, views: itemViews });
  const thread = await store.threads.create('', { metadata: {}, tool_resources: {}, messages: [] });
  const start = process.hrtime.bigint();
  for (let i = 0; i < WRITES; i++) await store.messages.create('', thread.id, message);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

const totals = { normal: [], full: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of ['normal', 'full']) totals[mode].push(await run(mode));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const mode of ['normal', 'full']) {
  const ms = median(totals[mode]);
  console.log(
    `synchronous=${mode}: ${WRITES} creates in ${ms.toFixed(0)} ms, ${((ms * 1000) / WRITES).toFixed(0)} µs each, ${Math.round((WRITES * 1000) / ms)} writes/s (median of ${ROUNDS})`,
  );
}
console.log(`full costs ${(median(totals.full) / median(totals.normal)).toFixed(1)}x the time of normal per write`);
