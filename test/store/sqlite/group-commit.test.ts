import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { createOne, userMessage } from '../../helpers/store-items.js';

/** Something JSON.stringify refuses: the write holding it throws inside its batch. */
const unwritable = { bad: 1n } as unknown as Record<string, string>;

describe('SQLite group commit: writes asked for in the same turn share one transaction', () => {
  let testApp: TestApp;
  beforeEach(async () => {
    testApp = await buildTestApp();
  });
  afterEach(async () => {
    await testApp.close();
  });

  it('keeps the order the creates were asked in, and each answer matches what is stored', async () => {
    const { store } = testApp.app;
    const thread = await store.threads.create('', { metadata: {}, tool_resources: {}, items: [] });
    const texts = Array.from({ length: 50 }, (_, i) => `message ${i}`);
    const created = await Promise.all(texts.map((text) => createOne(store, thread.id, userMessage(text))));
    const page = await store.items.list('', thread.id, { limit: 100, order: 'asc', view: 'all' });
    expect(page!.data.map((m) => m.content[0]!.text!.value)).toEqual(texts);
    expect(page!.data).toEqual(created);
  });

  it('acknowledges a write only once another connection can read it', async () => {
    const { store } = testApp.app;
    const thread = await store.threads.create('', { metadata: {}, tool_resources: {}, items: [] });
    const created = await Promise.all([1, 2, 3].map((i) => createOne(store, thread.id, userMessage(`m${i}`))));
    const reader = new Database(testApp.dbPath, { readonly: true });
    try {
      const ids = reader.prepare('SELECT id FROM messages ORDER BY seq').pluck().all();
      expect(ids).toEqual(created.map((m) => m!.id));
    } finally {
      reader.close();
    }
  });

  it('rolls back only the write that failed, whole, and commits the others of its batch', async () => {
    const { store } = testApp.app;
    const thread = await store.threads.create('', { metadata: {}, tool_resources: {}, items: [] });
    const before = createOne(store, thread.id, userMessage('before'));
    const failedThread = store.threads.create('', {
      metadata: { name: 'half-written' },
      tool_resources: {},
      items: [userMessage('first'), userMessage('second', unwritable)],
    });
    const failedMessage = createOne(store, thread.id, userMessage('never', unwritable));
    const after = createOne(store, thread.id, userMessage('after'));
    const [first, failed, failedAlone, last] = await Promise.allSettled([before, failedThread, failedMessage, after]);
    expect(first.status).toBe('fulfilled');
    expect(failed.status).toBe('rejected');
    expect(failedAlone.status).toBe('rejected');
    expect(last.status).toBe('fulfilled');

    const page = await store.items.list('', thread.id, { limit: 100, order: 'asc', view: 'all' });
    expect(page!.data.map((m) => m.content[0]!.text!.value)).toEqual(['before', 'after']);
    const reader = new Database(testApp.dbPath, { readonly: true });
    try {
      expect(reader.prepare('SELECT count(*) FROM threads').pluck().get()).toBe(1);
      expect(reader.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(2);
    } finally {
      reader.close();
    }
  });

  it('applies writes of different kinds in the order they were asked for', async () => {
    const { store } = testApp.app;
    const thread = await store.threads.create('', { metadata: {}, tool_resources: {}, items: [] });
    const { id } = (await createOne(store, thread.id, userMessage('short-lived')))!;
    const updated = store.items.update('', thread.id, id, { step: 'updated' }, 'all');
    const deleted = store.items.delete('', thread.id, id, 'all');
    const recreated = createOne(store, thread.id, userMessage('kept'));
    expect((await updated)!.metadata).toEqual({ step: 'updated' });
    expect(await deleted).toBe(true);
    expect((await recreated)!.content[0]!.text!.value).toBe('kept');
    const page = await store.items.list('', thread.id, { limit: 100, order: 'asc', view: 'all' });
    expect(page!.data.map((m) => m.content[0]!.text!.value)).toEqual(['kept']);
    // The deleted message still works as a cursor.
    const afterDeleted = await store.items.list('', thread.id, { limit: 100, order: 'asc', after: id, view: 'all' });
    expect(afterDeleted!.data.map((m) => m.id)).toEqual([(await recreated)!.id]);
  });

  it('commits what is still queued when the app closes', async () => {
    const { store } = testApp.app;
    const thread = await store.threads.create('', { metadata: {}, tool_resources: {}, items: [] });
    const pending = createOne(store, thread.id, userMessage('queued at close'));
    await testApp.app.close();
    const stored = await pending;
    const reader = new Database(testApp.dbPath, { readonly: true });
    try {
      expect(reader.prepare('SELECT id FROM messages').pluck().all()).toEqual([stored!.id]);
    } finally {
      reader.close();
    }
  });
});
