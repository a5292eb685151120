import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BuiltServer, buildServer, type ServerProcess, startServerProcess } from '../../helpers/server-process.js';
import { mountTmpfs, type Tmpfs } from '../../helpers/tmpfs.js';

/*
 * The real server on a SQLite file in a small tmpfs that fills up: writes that do not fit get a 503 to
 * retry and leave nothing behind, reads and the process carry on, and once space returns writes work
 * again; after a restart every acknowledged write is there.
 */

const mounted = mountTmpfs(16 * 1024 * 1024);
const skip = typeof mounted === 'string' ? mounted : undefined;

interface Message {
  id: string;
  content: { text: { value: string } }[];
}

describe.skipIf(skip !== undefined)(`the server on a full disk${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const tmpfs = mounted as Tmpfs;
  const env = { DATABASE_URL: join(tmpfs.dir ?? '', 'threadstore.db') };
  let built: BuiltServer;
  let server: ServerProcess;
  beforeAll(async () => {
    built = await buildServer();
    server = await startServerProcess(built.entry, env);
  }, 120_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    built?.remove();
    tmpfs.unmount();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.baseURL}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      retry: res.headers.get('x-should-retry'),
      json: (await res.json()) as Message & { error?: unknown },
    };
  };
  const texts = async (threadId: string) => {
    const res = await fetch(`${server.baseURL}/v1/threads/${threadId}/messages?limit=100&order=asc`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: Message[] }).data.map((m) => m.content[0]!.text.value);
  };

  test('writes that do not fit answer 503 and leave nothing; reads answer; space returns, writes work; a restart keeps every acknowledged write', {
    timeout: 120_000,
  }, async () => {
    const thread = (await post('/v1/threads', {})).json.id;
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      const text = `before ${i}`;
      expect((await post(`/v1/threads/${thread}/messages`, { role: 'user', content: text })).status).toBe(200);
      acknowledged.push(text);
    }

    tmpfs.fill(128 * 1024);
    const sent = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `big ${i} ${'x'.repeat(250_000)}` : `small ${i}`));
    const answers = await Promise.all(
      sent.map((content) => post(`/v1/threads/${thread}/messages`, { role: 'user', content })),
    );
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(answer.retry).toBe('true');
      expect(answer.json).toEqual({
        error: {
          message:
            'The server cannot store changes right now: its disk is full. Nothing was stored; please retry later.',
          type: 'server_error',
          param: null,
          code: null,
        },
      });
    }
    answers.forEach((answer, i) => {
      if (answer.status === 200) acknowledged.push(sent[i]!);
    });
    expect((await fetch(`${server.baseURL}/health`)).status).toBe(200);
    expect((await fetch(`${server.baseURL}/v1/threads/${thread}`)).status).toBe(200);
    expect(await texts(thread)).toEqual(acknowledged);

    tmpfs.free();
    const after = `after ${'y'.repeat(250_000)}`;
    expect((await post(`/v1/threads/${thread}/messages`, { role: 'user', content: after })).status).toBe(200);
    acknowledged.push(after);
    expect(await texts(thread)).toEqual(acknowledged);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    server = await startServerProcess(built.entry, env);
    expect(await texts(thread)).toEqual(acknowledged);
  });
});
