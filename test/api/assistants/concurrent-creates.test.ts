import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer } from '../../helpers/app.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

async function listAll(order: 'asc' | 'desc') {
  const listed: { id: string; created_at: number }[] = [];
  let after: string | undefined;
  for (;;) {
    const res = await fetch(`${server.baseURLv1}/assistants?limit=100&order=${order}${after ? `&after=${after}` : ''}`);
    const page = await res.json();
    listed.push(...page.data);
    if (!page.has_more) return listed;
    after = page.last_id;
  }
}

test('300 concurrent creates: all kept, each listed once, in one order in which created_at never goes back', {
  timeout: 120_000,
}, async () => {
  const responses = await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      fetch(`${server.baseURLv1}/assistants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', name: `assistant ${i}` }),
      }),
    ),
  );
  expect(responses.map((r) => r.status)).toEqual(Array(300).fill(200));
  const created = await Promise.all(responses.map((r) => r.json()));
  const ascending = await listAll('asc');
  expect(ascending).toHaveLength(300);
  expect(new Set(ascending.map((a) => a.id))).toEqual(new Set(created.map((a) => a.id)));
  expect((await listAll('desc')).map((a) => a.id)).toEqual(ascending.map((a) => a.id).reverse());
  const byId = new Map(created.map((a) => [a.id, a]));
  expect(ascending).toEqual(ascending.map((a) => byId.get(a.id)));
  const times = ascending.map((a) => a.created_at);
  expect(times).toEqual([...times].sort((a, b) => a - b));
});
