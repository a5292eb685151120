import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, expect, test } from 'vitest';
import { createMessage, createThread, listPage, post } from './helpers/api.js';
import { buildTestApp, testEngine, type TestApp } from './helpers/app.js';

const open: TestApp[] = [];
async function build(reopen?: TestApp) {
  const t = await buildTestApp({}, reopen === undefined ? {} : { reopen });
  open.push(t);
  return t;
}
// Reopened apps first: the first one owns (and removes) the folder.
afterEach(async () => {
  for (const t of open.splice(0).reverse()) await t.close();
});

test('data written survives closing the app and opening a new one on the same file', async () => {
  const first = await build();
  const thread = await createThread(first.app, {
    metadata: { project: 'persist' },
    tool_resources: { code_interpreter: { file_ids: ['file_1'] } },
    messages: [{ role: 'user', content: 'from the thread' }],
  });
  const messages = [await createMessage(first.app, thread.id, { content: 'kept', metadata: { n: '1' } })];
  const deleted = await createMessage(first.app, thread.id, { content: 'to delete' });
  messages.push(await createMessage(first.app, thread.id, { role: 'assistant', content: 'last' }));
  await first.app.inject({ method: 'DELETE', url: `/v1/threads/${thread.id}/messages/${deleted.id}` });
  const gone = await createThread(first.app);
  await first.app.inject({ method: 'DELETE', url: `/v1/threads/${gone.id}` });
  const pageBefore = await listPage(first.app, thread.id, { order: 'asc' });
  await first.app.close();

  const second = await build(first);
  expect((await second.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}` })).json()).toEqual(thread);
  const pageAfter = await listPage(second.app, thread.id, { order: 'asc' });
  expect(pageAfter).toEqual(pageBefore);
  expect(pageAfter.data.slice(1)).toEqual(messages);
  expect((await second.app.inject({ method: 'GET', url: `/v1/threads/${gone.id}` })).statusCode).toBe(404);
  // The deleted message's cursor survives the restart too.
  const afterDeleted = await listPage(second.app, thread.id, { order: 'asc', after: deleted.id });
  expect(afterDeleted.data.map((m) => m.id)).toEqual([messages[1]!.id]);

  // New writes continue the order after the old ones.
  const newer = await createMessage(second.app, thread.id, { content: 'after restart' });
  expect((await listPage(second.app, thread.id, { limit: 1 })).data[0]!.id).toBe(newer.id);
  expect((await post(second.app, `/v1/threads/${thread.id}`, { metadata: {} })).json().metadata).toEqual({});
});

// Reads the SQLite file's bytes (PostgreSQL keeps dead row versions until vacuum: see
// docs/operating.md#scaling-out-with-postgresql).
test.skipIf(testEngine !== 'sqlite')(
  'a deleted message leaves no trace of its content or metadata in the database',
  async () => {
    const t = await build();
    const thread = await createThread(t.app);
    const secretText = 'SECRET-TEXT-7f3a9c';
    const secretMeta = 'SECRET-META-51b2e0';
    const secretKey = 'SECRET-KEY-c0ffee';
    const keep = await createMessage(t.app, thread.id, { content: 'harmless' });
    const message = await createMessage(t.app, thread.id, {
      content: [{ type: 'text', text: secretText }],
      metadata: { [secretKey]: secretMeta },
      attachments: [{ file_id: 'file_SECRET-FILE-9d9d', tools: [] }],
    });
    // Metadata changed once: the old value must not linger either.
    await post(t.app, `/v1/threads/${thread.id}/messages/${message.id}`, {
      metadata: { [secretKey]: `${secretMeta}-v2` },
    });
    await t.app.inject({ method: 'DELETE', url: `/v1/threads/${thread.id}/messages/${message.id}` });

    // Through SQL: no table holds the secrets any more.
    const db = new Database(t.dbPath, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    for (const { name } of tables) {
      const rows = JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all());
      for (const secret of [secretText, secretMeta, secretKey, 'SECRET-FILE']) expect(rows, name).not.toContain(secret);
    }
    db.close();

    // In the bytes of the file, once the app has closed it (and checkpointed its write-ahead log).
    await t.app.close();
    const bytes = readFileSync(t.dbPath).toString('latin1');
    expect(bytes).toContain('harmless');
    for (const secret of [secretText, secretMeta, secretKey, 'SECRET-FILE'])
      expect(bytes.includes(secret), secret).toBe(false);

    const reopened = await build(t);
    expect((await listPage(reopened.app, thread.id)).data).toEqual([keep]);
  },
);

test.skipIf(testEngine !== 'sqlite')('deleting a thread leaves no trace of its messages in the database', async () => {
  const t = await build();
  const secret = 'THREAD-SECRET-a1b2c3';
  const thread = await createThread(t.app, {
    metadata: { note: secret },
    messages: [{ role: 'user', content: secret }],
  });
  await createMessage(t.app, thread.id, { content: secret });
  await t.app.inject({ method: 'DELETE', url: `/v1/threads/${thread.id}` });
  await t.app.close();
  expect(readFileSync(t.dbPath).toString('latin1').includes(secret)).toBe(false);
  const db = new Database(t.dbPath, { readonly: true });
  expect(db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 0 });
  expect(db.prepare('SELECT count(*) AS n FROM deleted_messages').get()).toEqual({ n: 0 });
  db.close();
});
