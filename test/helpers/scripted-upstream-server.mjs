// The scripted Chat Completions server (scripted-upstream.mjs) as a process of its own, for the runs
// benchmark and the tests under load, so its CPU is not on their event loop: prints its base URL on one
// line, then answers until it is stopped. A request's model says its turn: `bench-<n>x<ms>` streams n text
// fragments (` word0`, ` word1`, …), each after a pause of ms milliseconds.
import { startScriptedUpstream } from './scripted-upstream.mjs';

const MODEL = /^bench-(\d+)x(\d+)$/;

const upstream = await startScriptedUpstream((request) => {
  const match = MODEL.exec(request.body.model ?? '');
  if (!match) return { status: 404, body: { error: { message: `Unknown model ${request.body.model}.` } } };
  const fragments = Number(match[1]);
  return { text: Array.from({ length: fragments }, (_, i) => ` word${i}`), chunkDelayMs: Number(match[2]) };
});
// Requests are kept by the scripted server for tests to read; here they would only grow.
setInterval(() => upstream.requests.splice(0), 1_000).unref();
process.stdout.write(`${upstream.url}\n`);
process.on('SIGTERM', () => upstream.close().then(() => process.exit(0)));
