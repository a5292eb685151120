// Writes an export file of one thread, one line of about MB megabytes, in messages of SIZE bytes of text,
// for measuring import's memory: node bench/long-line.mjs FILE MB [SIZE], then
// /usr/bin/time -v node dist/cli.js import FILE --db scratch.db (its "Maximum resident set size").
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const [file, mb, size = '100000'] = process.argv.slice(2);
if (file === undefined || !(Number(mb) > 0)) {
  console.error('usage: node bench/long-line.mjs FILE MB [SIZE]');
  process.exit(2);
}
const out = createWriteStream(file);
const thread = 'thread_long0000000000000001';
const at = 1_700_000_000;
out.write(
  `{"id":"${thread}","object":"thread","created_at":${at},"tool_resources":{},"metadata":{},"tenant":"","messages":[`,
);
const text = 'y'.repeat(Number(size));
const count = Math.round((Number(mb) * 1e6) / (Number(size) + 300));
for (let i = 0; i < count; i++) {
  const message = {
    id: `msg_long${String(i).padStart(16, '0')}`,
    object: 'thread.message',
    created_at: at,
    assistant_id: null,
    thread_id: thread,
    run_id: null,
    role: 'user',
    content: [{ type: 'text', text: { value: text, annotations: [] } }],
    attachments: [],
    metadata: {},
    status: 'completed',
    incomplete_details: null,
    completed_at: at,
    incomplete_at: null,
  };
  if (!out.write((i === 0 ? '' : ',') + JSON.stringify(message))) await once(out, 'drain');
}
out.end(']}\n');
await once(out, 'finish');
