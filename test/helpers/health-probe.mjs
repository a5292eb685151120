// A health probe as a process of its own, so the time it measures is the server's and not that of a test
// busy reading streams: `node health-probe.mjs <url> <everyMs>` GETs the url once and prints `ready` (that
// first ping opens the connection and is not counted), then GETs it again everyMs after each answer until
// its stdin ends, and prints one line of JSON, { pings: [[sentAtMs, tookMs], …], failure }, sentAtMs counted
// from the first counted ping. One keep-alive connection: a ping measures the wait for the server's event
// loop, not a TCP handshake.
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const [url, everyMs] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

let stopping = false;
process.stdin.on('end', () => {
  stopping = true;
});
process.stdin.resume();

const ping = () =>
  new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET ${url}: ${res.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });

const pings = [];
let failure = null;
let first;
try {
  await ping();
  process.stdout.write('ready\n');
  first = performance.now();
  while (!stopping) {
    const sent = performance.now();
    await ping();
    pings.push([Math.round(sent - first), performance.now() - sent]);
    await sleep(Number(everyMs));
  }
} catch (error) {
  failure = String(error);
}
process.stdout.write(`${JSON.stringify({ pings, failure })}\n`);
agent.destroy();
