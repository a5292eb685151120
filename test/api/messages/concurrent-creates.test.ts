import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer } from '../../helpers/app.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

async function listAll(threadId: string, order: 'asc' | 'desc') {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const res = await fetch(
      `${server.baseURLv1}/threads/${threadId}/messages?limit=100&order=${order}${after ? `&after=${after}` : ''}`,
    );
    const page = await res.json();
    ids.push(...page.data.map((m: { id: string }) => m.id));
    if (!page.has_more) return ids;
    after = page.last_id;
  }
}

test('500 concurrent creates on one thread: all kept, each listed exactly once, in one consistent order', {
  timeout: 120_000,
}, async () => {
  const thread = await (await fetch(`${server.baseURLv1}/threads`, { method: 'POST' })).json();
  const responses = await Promise.all(
    Array.from({ length: 500 }, (_, i) =>
      fetch(`${server.baseURLv1}/threads/${thread.id}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'user', content: `message ${i}` }),
      }),
    ),
  );
  expect(responses.map((r) => r.status)).toEqual(Array(500).fill(200));
  const created = await Promise.all(responses.map((r) => r.json()));
  const createdIds = new Set(created.map((m) => m.id as string));
  expect(createdIds.size).toBe(500);

  const ascending = await listAll(thread.id, 'asc');
  expect(ascending).toHaveLength(500);
  expect(new Set(ascending)).toEqual(createdIds);
  expect(await listAll(thread.id, 'desc')).toEqual([...ascending].reverse());
  expect(await listAll(thread.id, 'asc')).toEqual(ascending);

  const createdAt = new Map(created.map((m) => [m.id as string, m.created_at as number]));
  const times = ascending.map((id) => createdAt.get(id)!);
  expect(times).toEqual([...times].sort((a, b) => a - b));
});
