import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer } from '../helpers/app.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
let client: OpenAI;
beforeAll(async () => {
  server = await startTestServer();
  client = new OpenAI({ baseURL: server.baseURLv1, apiKey: 'test-key', maxRetries: 0 });
});
afterAll(async () => server.close());

interface ThreadList {
  data: { id: string; metadata: Record<string, string> }[];
  has_more: boolean;
  last_id: string | null;
}

describe('threadstore extensions through the official SDK', () => {
  test('list threads with a raw request, paging and filtering by metadata', async () => {
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push(await client.beta.threads.create({ metadata: { kind: i % 2 ? 'odd' : 'even' } }));
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await client.get<ThreadList>('/threads', { query: { limit: 2, order: 'asc', after } });
      seen.push(...page.data.map((thread) => thread.id));
      if (!page.has_more) break;
      after = page.last_id!;
    }
    expect(seen).toEqual(created.map((thread) => thread.id));
    const even = await client.get<ThreadList>('/threads', { query: { 'metadata[kind]': 'even', order: 'asc' } });
    expect(even.data.map((thread) => thread.id)).toEqual([created[0]!.id, created[2]!.id, created[4]!.id]);
  });

  test('an Idempotency-Key set through the headers request option makes a retried create safe', async () => {
    const options = { headers: { 'Idempotency-Key': 'sdk-retry-1' } };
    const first = await client.beta.threads.create({ metadata: { try: '1' } }, options);
    const again = await client.beta.threads.create({ metadata: { try: '1' } }, options);
    expect(again).toEqual(first);
    const message = { role: 'user' as const, content: 'once' };
    const m1 = await client.beta.threads.messages.create(first.id, message, {
      headers: { 'Idempotency-Key': 'sdk-m' },
    });
    const m2 = await client.beta.threads.messages.create(first.id, message, {
      headers: { 'Idempotency-Key': 'sdk-m' },
    });
    expect(m2.id).toBe(m1.id);
    const conflict = await client.beta.threads
      .create({ metadata: { try: '2' } }, options)
      .catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(OpenAI.ConflictError);
    expect((conflict as InstanceType<typeof OpenAI.ConflictError>).status).toBe(409);
  });
});
