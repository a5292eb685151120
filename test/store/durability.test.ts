import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { builtServerWithScratch, runServerToExit, startServerProcess } from '../helpers/server-process.js';

/*
 * The real server as a child process on a real SQLite file: killed with SIGKILL mid-load, stopped with
 * SIGTERM mid-load, restarted on the same file. Writers use one connection per request, so a refused or
 * reset connection means the request was never handled.
 */

const KEY = 'sk-durability-0000000000000000';
const built = builtServerWithScratch('durability');

interface Answer {
  status: number;
  body: string;
}

/** One POST on its own connection; rejects with the socket error when there is no answer. */
function post(baseURL: string, path: string, payload: unknown): Promise<Answer> {
  const body = JSON.stringify(payload);
  return new Promise((done, fail) => {
    const req = httpRequest(
      `${baseURL}${path}`,
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${KEY}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

async function get(baseURL: string, path: string) {
  const res = await fetch(`${baseURL}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
  return { status: res.status, json: await res.json() };
}

async function listAll(baseURL: string, threadId: string, order: 'asc' | 'desc' = 'asc') {
  const all: { id: string; content: { text: { value: string } }[] }[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await get(
      baseURL,
      `/v1/threads/${threadId}/messages?limit=100&order=${order}${after ? `&after=${after}` : ''}`,
    );
    expect(page.status).toBe(200);
    all.push(...page.json.data);
    if (!page.json.has_more) return all;
    after = page.json.last_id;
  }
}

interface Load {
  acknowledged: Map<string, string>;
  /** Texts sent whose request got no answer: never handled, so never stored. */
  unanswered: string[];
  refused503: number;
  unexpected: string[];
  stop(): Promise<void>;
}

/** Writers that each keep one request in flight, adding messages to the thread until stopped. */
function startWriters(baseURL: string, threadId: string, writers: number, tag: string): Load {
  const load: Load = { acknowledged: new Map(), unanswered: [], refused503: 0, unexpected: [], stop: async () => {} };
  let running = true;
  const loops = Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; running; i++) {
      const text = `${tag}-w${w}-n${i}`;
      try {
        const answer = await post(baseURL, `/v1/threads/${threadId}/messages`, { role: 'user', content: text });
        if (answer.status === 200) load.acknowledged.set(JSON.parse(answer.body).id, text);
        else if (answer.status === 503 && JSON.parse(answer.body).error.type === 'server_error') load.refused503++;
        else load.unexpected.push(`${answer.status} ${answer.body}`);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code) || /socket hang up/.test(String(error)))
          load.unanswered.push(text);
        else load.unexpected.push(String(error));
        // The server is gone (or going): this writer stops.
        return;
      }
    }
  });
  load.stop = async () => {
    running = false;
    await Promise.all(loops);
  };
  return load;
}

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

test('SIGKILL mid-load, several times: every acknowledged message is intact after each restart', {
  timeout: 180_000,
}, async () => {
  const env = { DATABASE_URL: join(built.dir, 'kill.db'), API_KEYS: KEY };
  const acknowledged = new Map<string, string>();
  let threadId = '';
  const rounds = 4;
  for (let round = 0; round < rounds; round++) {
    const server = await startServerProcess(built.entry, env);
    if (round === 0) threadId = (JSON.parse((await post(server.baseURL, '/v1/threads', {})).body) as { id: string }).id;
    // Everything acknowledged before this start is still there, word for word.
    const stored = new Map((await listAll(server.baseURL, threadId)).map((m) => [m.id, m.content[0]!.text.value]));
    for (const [id, text] of acknowledged) expect(stored.get(id), `round ${round}: ${id}`).toBe(text);

    const load = startWriters(server.baseURL, threadId, 8, `kill${round}`);
    await until(() => load.acknowledged.size >= 100 + 50 * round);
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');
    await load.stop();
    expect(load.unexpected).toEqual([]);
    for (const [id, text] of load.acknowledged) acknowledged.set(id, text);
  }
  const server = await startServerProcess(built.entry, env);
  try {
    const messages = await listAll(server.baseURL, threadId);
    const stored = new Map(messages.map((m) => [m.id, m.content[0]!.text.value]));
    expect(stored.size).toBe(messages.length);
    for (const [id, text] of acknowledged) expect(stored.get(id), id).toBe(text);
    expect(acknowledged.size).toBeGreaterThanOrEqual(rounds * 100);
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
  }
});

test('SIGTERM mid-load: in-flight requests complete, later ones are refused cleanly, exit 0, nothing lost', {
  timeout: 120_000,
}, async () => {
  const env = { DATABASE_URL: join(built.dir, 'term.db'), API_KEYS: KEY };
  const server = await startServerProcess(built.entry, env);
  const threadId = (JSON.parse((await post(server.baseURL, '/v1/threads', {})).body) as { id: string }).id;
  const load = startWriters(server.baseURL, threadId, 8, 'term');
  await until(() => load.acknowledged.size >= 200);
  server.child.kill('SIGTERM');
  // close-with-grace exits 1 when closing takes longer than its 10 s delay: 0 means it finished in time.
  expect(await server.exited).toBe(0);
  await load.stop();
  expect(load.unexpected).toEqual([]);
  expect(server.output()).toMatch(/"signal":"SIGTERM".*"msg":"closing"/);

  const restarted = await startServerProcess(built.entry, env);
  try {
    const stored = new Map((await listAll(restarted.baseURL, threadId)).map((m) => [m.id, m.content[0]!.text.value]));
    for (const [id, text] of load.acknowledged) expect(stored.get(id), id).toBe(text);
    const storedTexts = new Set(stored.values());
    for (const text of load.unanswered) expect(storedTexts.has(text), text).toBe(false);
    expect(stored.size).toBe(load.acknowledged.size);
  } finally {
    restarted.child.kill('SIGKILL');
    await restarted.exited;
  }
});

test('the real server refuses to start on a non-loopback HOST without keys, warns when open on loopback, and stops on SIGINT', {
  timeout: 60_000,
}, async () => {
  const refused = await runServerToExit(built.entry, {
    HOST: '0.0.0.0',
    PORT: '0',
    DATABASE_URL: join(built.dir, 'refused.db'),
  });
  expect(refused.code).toBe(1);
  expect(refused.output).toMatch(/Refusing to listen on 0\.0\.0\.0 without API keys/);

  const open = await startServerProcess(built.entry, { DATABASE_URL: join(built.dir, 'open.db') });
  try {
    expect(open.output()).toMatch(/"level":40.*no API keys configured/);
  } finally {
    open.child.kill('SIGINT');
    expect(await open.exited).toBe(0);
  }
});
