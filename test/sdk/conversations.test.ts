// Every Conversations operation through openai-node 6 against a listening server, each success body
// checked against OpenAI's own schema; the Agents SDK's session pattern; the two views of one store.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer } from '../helpers/app.js';
import { expectConversationConformsTo } from '../helpers/conversation-schemas.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let client: OpenAI;

beforeAll(async () => {
  server = await startTestServer();
  client = new OpenAI({ baseURL: server.baseURLv1, apiKey: 'test-key', maxRetries: 0 });
});
afterAll(async () => server.close());

const CONVERSATION_ID = /^conv_[0-9a-f]{48}$/;
const MESSAGE_ID = /^msg_[0-9A-Za-z]{24}$/;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const entry of iterable) all.push(entry);
  return all;
}

describe('conversations through openai-node 6', () => {
  test('create, retrieve, update and delete a conversation', async () => {
    const created = await client.conversations.create({
      metadata: { topic: 'demo' },
      items: [{ type: 'message', role: 'user', content: 'Hello!' }],
    });
    expectConversationConformsTo('ConversationResource', created);
    expect(created).toEqual({
      id: expect.stringMatching(CONVERSATION_ID),
      object: 'conversation',
      created_at: expect.any(Number),
      metadata: { topic: 'demo' },
    });
    expect(await client.conversations.retrieve(created.id)).toEqual(created);
    const updated = await client.conversations.update(created.id, { metadata: { topic: 'project-x' } });
    expectConversationConformsTo('ConversationResource', updated);
    expect(updated).toEqual({ ...created, metadata: { topic: 'project-x' } });
    const deleted = await client.conversations.delete(created.id);
    expectConversationConformsTo('DeletedConversationResource', deleted);
    expect(deleted).toEqual({ id: created.id, object: 'conversation.deleted', deleted: true });
    await expect(client.conversations.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await client.conversations.create()).metadata).toEqual({});
  });

  test('items: created in order and completed, retrieved, listed with auto-pagination both ways, deleted', async () => {
    const conversation = await client.conversations.create({});
    const created = await client.conversations.items.create(conversation.id, {
      include: ['message.output_text.logprobs'],
      items: [
        { role: 'user', content: 'What is the weather in Paris?' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.' }] } as never,
        { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '18°C' },
        {
          role: 'developer',
          content: [
            { type: 'input_text', text: 'Be brief.' },
            { type: 'input_image', image_url: 'https://example.com/a.png' },
          ],
        } as never,
      ],
    });
    expectConversationConformsTo('ConversationItemList', created);
    const [user, assistant, call, output, developer] = created.data as unknown as Record<string, unknown>[];
    expect(user).toEqual({
      id: expect.stringMatching(MESSAGE_ID),
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_text', text: 'What is the weather in Paris?' }],
    });
    expect(assistant).toEqual({
      id: expect.stringMatching(MESSAGE_ID),
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'Let me check.', annotations: [], logprobs: [] }],
    });
    expect(call).toMatchObject({ type: 'function_call', call_id: 'call_1', status: 'completed' });
    expect(output).toMatchObject({ type: 'function_call_output', output: '18°C', status: 'completed' });
    expect(developer!.content).toEqual([
      { type: 'input_text', text: 'Be brief.' },
      { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' },
    ]);
    expect(created).toMatchObject({ first_id: user!.id, last_id: developer!.id, has_more: false });

    const ids = created.data.map((item) => item.id!);
    const retrieved = await client.conversations.items.retrieve(ids[2]!, { conversation_id: conversation.id });
    expectConversationConformsTo('ConversationItem', retrieved);
    expect(retrieved).toEqual(call);

    const ascending = await collect(client.conversations.items.list(conversation.id, { order: 'asc', limit: 2 }));
    expect(ascending.map((item) => item.id)).toEqual(ids);
    const descending = await collect(client.conversations.items.list(conversation.id, { limit: 2 }));
    expect(descending.map((item) => item.id)).toEqual([...ids].reverse());
    const page = await fetch(
      `${server.baseURLv1}/conversations/${conversation.id}/items?limit=2&include[]=reasoning.encrypted_content`,
    );
    expectConversationConformsTo('ConversationItemList', await page.json());

    const afterDelete = await client.conversations.items.delete(ids[4]!, { conversation_id: conversation.id });
    expectConversationConformsTo('ConversationResource', afterDelete);
    expect(afterDelete).toEqual(conversation);
    await expect(
      client.conversations.items.retrieve(ids[4]!, { conversation_id: conversation.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  test("the Agents SDK's session pattern", async () => {
    const session = await client.conversations.create({ items: [] });
    const turns = [
      { role: 'user', content: 'Plan a trip.' },
      { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Think about cities.' }] },
      { type: 'function_call', call_id: 'c1', name: 'search', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'Lisbon' },
      { role: 'assistant', content: 'Lisbon it is.' },
    ];
    for (const item of turns) await client.conversations.items.create(session.id, { items: [item as never] });
    const history = await collect(client.conversations.items.list(session.id, { order: 'asc', limit: 2 }));
    expect(history.map((item) => item.type)).toEqual([
      'message',
      'reasoning',
      'function_call',
      'function_call_output',
      'message',
    ]);
    for (const item of history) expectConversationConformsTo('ConversationItem', item);

    const latest = await client.conversations.items.list(session.id, { limit: 1, order: 'desc' });
    expect(latest.data.map((item) => item.type)).toEqual(['message']);
    await client.conversations.items.delete(latest.data[0]!.id!, { conversation_id: session.id });
    const remaining = await collect(client.conversations.items.list(session.id, { order: 'asc' }));
    expect(remaining.map((item) => item.id)).toEqual(history.slice(0, 4).map((item) => item.id));

    // Clearing a session: its items one by one, then the conversation.
    for (const item of remaining) await client.conversations.items.delete(item.id!, { conversation_id: session.id });
    expect((await client.conversations.items.list(session.id)).data).toEqual([]);
    await client.conversations.delete(session.id);
  });
});

describe('two views of one store', () => {
  test('a thread written through beta.threads reads as a conversation and items', async () => {
    const thread = await client.beta.threads.create({
      metadata: { app: 'legacy' },
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
            { type: 'image_file', image_file: { file_id: 'file_1' } },
          ],
        },
      ],
    });
    const conversation = await client.conversations.retrieve(thread.id);
    expect(conversation).toEqual({
      id: thread.id,
      object: 'conversation',
      created_at: thread.created_at,
      metadata: { app: 'legacy' },
    });
    const messages = await collect(client.beta.threads.messages.list(thread.id, { order: 'asc' }));
    const items = await collect(client.conversations.items.list(thread.id, { order: 'asc' }));
    expect(items.map((item) => item.id)).toEqual(messages.map((message) => message.id));
    for (const item of items) expectConversationConformsTo('ConversationItem', item);
    expect(items.map((item) => (item as { content: unknown }).content)).toEqual([
      [{ type: 'input_text', text: 'Hi' }],
      [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }],
      [
        { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'low' },
        { type: 'input_image', file_id: 'file_1', detail: 'auto' },
      ],
    ]);
  });

  test('items written through /conversations read as thread messages; mixed writes keep one order', async () => {
    const conversation = await client.conversations.create({ items: [{ role: 'user', content: 'one' }] });
    await client.beta.threads.messages.create(conversation.id, { role: 'assistant', content: 'two' });
    await client.conversations.items.create(conversation.id, {
      items: [
        { role: 'system', content: 'hidden from threads' },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'three' },
            { type: 'input_file', file_id: 'file_x' },
          ],
        } as never,
      ],
    });
    const items = await collect(client.conversations.items.list(conversation.id, { order: 'asc' }));
    expect(items.map((item) => item.type)).toEqual(['message', 'message', 'message', 'function_call', 'message']);
    const messages = await collect(client.beta.threads.messages.list(conversation.id, { order: 'asc' }));
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ['user', [{ type: 'text', text: { value: 'one', annotations: [] } }]],
      ['assistant', [{ type: 'text', text: { value: 'two', annotations: [] } }]],
      ['user', [{ type: 'text', text: { value: 'three', annotations: [] } }]],
    ]);
    expect(messages[0]).toMatchObject({
      thread_id: conversation.id,
      status: 'completed',
      metadata: {},
      attachments: [],
      run_id: null,
    });
    expect(
      items
        .filter((item) => item.type === 'message' && ['user', 'assistant'].includes((item as { role: string }).role))
        .map((item) => item.id),
    ).toEqual(messages.map((m) => m.id));

    // Message metadata, which only the thread view shows, can be set on a message written as an item.
    const tagged = await client.beta.threads.messages.update(messages[2]!.id, {
      thread_id: conversation.id,
      metadata: { seen: 'yes' },
    });
    expect(tagged.metadata).toEqual({ seen: 'yes' });
    expect(await client.conversations.items.retrieve(messages[2]!.id, { conversation_id: conversation.id })).toEqual(
      items[4],
    );
    const listed = (await client.get('/threads', { query: { limit: 100 } })) as { data: { id: string }[] };
    expect(listed.data.map((thread) => thread.id)).toContain(conversation.id);

    // Hidden items: 404 on every thread message route, yet a cursor; thread pages stay full.
    const hidden = items[2]!.id!;
    await expect(client.beta.threads.messages.retrieve(hidden, { thread_id: conversation.id })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    const afterHidden = await client.beta.threads.messages.list(conversation.id, {
      order: 'asc',
      after: hidden,
      limit: 1,
    });
    expect(afterHidden.data.map((m) => m.id)).toEqual([messages[2]!.id]);
    const full = await client.beta.threads.messages.list(conversation.id, { order: 'desc', limit: 2 });
    expect(full.data.map((m) => m.id)).toEqual([messages[2]!.id, messages[1]!.id]);

    // One object, one id: a message deleted through either API is gone from both.
    await client.beta.threads.messages.delete(messages[0]!.id, { thread_id: conversation.id });
    await expect(
      client.conversations.items.retrieve(messages[0]!.id, { conversation_id: conversation.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await client.conversations.items.delete(messages[1]!.id, { conversation_id: conversation.id });
    await expect(
      client.beta.threads.messages.retrieve(messages[1]!.id, { thread_id: conversation.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  test('deleting in either API deletes in both', async () => {
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'x' }] });
    await client.conversations.delete(thread.id);
    await expect(client.beta.threads.retrieve(thread.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const conversation = await client.conversations.create({ items: [{ role: 'user', content: 'y' }] });
    await client.beta.threads.delete(conversation.id);
    await expect(client.conversations.retrieve(conversation.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.conversations.items.list(conversation.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  test('an item_reference copies an item of the conversation under a new id', async () => {
    const conversation = await client.conversations.create({ items: [{ role: 'user', content: 'again' }] });
    const [original] = (await client.conversations.items.list(conversation.id)).data;
    const copied = await client.conversations.items.create(conversation.id, {
      items: [{ type: 'item_reference', id: original!.id! }],
    });
    expect(copied.data[0]).toEqual({ ...original, id: expect.stringMatching(MESSAGE_ID) });
    expect(copied.data[0]!.id).not.toBe(original!.id);
  });
});
