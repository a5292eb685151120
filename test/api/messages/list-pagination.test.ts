import Database from 'better-sqlite3';
import { fillItemJson } from '../../../src/store/sqlite/fill-item-json.js';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createMessage, createThread, listPage, type ListParams } from '../../helpers/api.js';
import { buildTestApp, testEngine, type TestApp } from '../../helpers/app.js';
import { expectedPage, type ModelMessage } from '../../helpers/list-model.js';
import { itemViews } from '../../../src/views/response-json.js';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  vi.useRealTimers();
  await t.close();
});

async function actualPage(threadId: string, query: ListParams) {
  const page = await listPage(t.app, threadId, query);
  return { ids: page.data.map((m) => m.id), first_id: page.first_id, last_id: page.last_id, has_more: page.has_more };
}

async function expectMatchesModel(threadId: string, inserted: ModelMessage[], query: ListParams) {
  expect(await actualPage(threadId, query), JSON.stringify(query)).toEqual(expectedPage(inserted, query));
}

async function deleteMessage(threadId: string, message: ModelMessage) {
  const res = await t.app.inject({ method: 'DELETE', url: `/v1/threads/${threadId}/messages/${message.id}` });
  expect(res.statusCode).toBe(200);
  message.deleted = true;
}

/** A thread with `count` messages created one by one while the clock stands still: all in one second. */
async function threadWithMessagesInOneSecond(count: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-25T10:00:00.250Z'));
  const thread = await createThread(t.app);
  const inserted: ModelMessage[] = [];
  for (let i = 0; i < count; i++) {
    const message = await createMessage(t.app, thread.id, { content: `message ${i}` });
    inserted.push({ id: message.id, deleted: false, run_id: null });
  }
  vi.useRealTimers();
  return { threadId: thread.id as string, inserted };
}

describe('order', () => {
  test('45 messages created one by one in the same second keep insertion order, both ways', async () => {
    const { threadId, inserted } = await threadWithMessagesInOneSecond(45);
    const asc = await listPage(t.app, threadId, { order: 'asc', limit: 100 });
    expect(new Set(asc.data.map((m: any) => m.created_at)).size).toBe(1);
    expect(asc.data.map((m: any) => m.content[0].text.value)).toEqual(inserted.map((_, i) => `message ${i}`));
    expect(asc.data.map((m) => m.id)).toEqual(inserted.map((m) => m.id));
    const desc = await listPage(t.app, threadId, { limit: 100 });
    expect(desc.data.map((m) => m.id)).toEqual(inserted.map((m) => m.id).reverse());
  });

  test('32 messages (the most) of a thread created at once keep their given order', async () => {
    const messages = Array.from({ length: 32 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` }));
    const thread = await createThread(t.app, { messages });
    const asc = await listPage(t.app, thread.id, { order: 'asc', limit: 100 });
    expect(asc.data.map((m: any) => m.content[0].text.value)).toEqual(messages.map((m) => m.content));
    expect(new Set(asc.data.map((m: any) => m.created_at))).toEqual(new Set([thread.created_at]));
  });

  test('default is desc, limit 20', async () => {
    const { threadId, inserted } = await threadWithMessagesInOneSecond(25);
    const page = await actualPage(threadId, {});
    expect(page.ids).toEqual(
      inserted
        .map((m) => m.id)
        .reverse()
        .slice(0, 20),
    );
    expect(page.has_more).toBe(true);
  });

  test('messages from later seconds come after earlier ones', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const thread = await createThread(t.app);
    const ids: string[] = [];
    for (const second of [0, 0, 1, 5, 5, 9]) {
      vi.setSystemTime(new Date(Date.UTC(2026, 10, 25, 10, 0, second)));
      ids.push((await createMessage(t.app, thread.id)).id);
    }
    vi.useRealTimers();
    const asc = await listPage(t.app, thread.id, { order: 'asc' });
    expect(asc.data.map((m) => m.id)).toEqual(ids);
    expect(asc.data.map((m: any) => m.created_at)).toEqual(
      [0, 0, 1, 5, 5, 9].map((s) => Date.UTC(2026, 10, 25, 10, 0, s) / 1000),
    );
  });
});

describe('cursors against the model', () => {
  test('after, before, both, every limit edge, both orders, with deleted cursors', async () => {
    const { threadId, inserted } = await threadWithMessagesInOneSecond(42);
    for (const index of [0, 7, 8, 20, 33, 41]) await deleteMessage(threadId, inserted[index]!);
    const cursors = inserted.filter((_, i) => i % 4 === 0 || i === 41 || i === 7 || i === 1).map((m) => m.id);
    for (const order of ['asc', 'desc'] as const) {
      for (const limit of [1, 3, 20, 100]) {
        await expectMatchesModel(threadId, inserted, { order, limit });
        for (const cursor of cursors) {
          await expectMatchesModel(threadId, inserted, { order, limit, after: cursor });
          await expectMatchesModel(threadId, inserted, { order, limit, before: cursor });
        }
      }
      for (const after of cursors) {
        for (const before of cursors) {
          await expectMatchesModel(threadId, inserted, { order, limit: 4, after, before });
        }
      }
    }
  });

  test('before without after holds the limit items closest to the cursor, in the requested order', async () => {
    const { threadId, inserted } = await threadWithMessagesInOneSecond(10);
    const ids = inserted.map((m) => m.id);
    expect(await actualPage(threadId, { order: 'asc', before: ids[6]!, limit: 3 })).toEqual({
      ids: ids.slice(3, 6),
      first_id: ids[3],
      last_id: ids[5],
      has_more: true,
    });
    expect(await actualPage(threadId, { order: 'desc', before: ids[3]!, limit: 3 })).toEqual({
      ids: [ids[6], ids[5], ids[4]],
      first_id: ids[6],
      last_id: ids[4],
      has_more: true,
    });
    expect(await actualPage(threadId, { order: 'asc', before: ids[3]!, limit: 3 })).toEqual({
      ids: ids.slice(0, 3),
      first_id: ids[0],
      last_id: ids[2],
      has_more: false,
    });
  });

  test('after the very last item: 200, empty data, null ids', async () => {
    const { threadId, inserted } = await threadWithMessagesInOneSecond(3);
    const last = inserted.at(-1)!.id;
    const first = inserted[0]!.id;
    for (const [order, after] of [
      ['asc', last],
      ['desc', first],
    ] as const) {
      const page = await listPage(t.app, threadId, { order, after });
      expect(page).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
    }
  });

  test('a deleted cursor still works, also as the last message of the thread', async () => {
    const { threadId, inserted } = await threadWithMessagesInOneSecond(5);
    await deleteMessage(threadId, inserted[2]!);
    await deleteMessage(threadId, inserted[4]!);
    const ids = inserted.map((m) => m.id);
    expect((await actualPage(threadId, { order: 'asc', after: ids[2]! })).ids).toEqual([ids[3]]);
    expect((await actualPage(threadId, { order: 'desc', after: ids[2]! })).ids).toEqual([ids[1], ids[0]]);
    expect((await actualPage(threadId, { order: 'asc', after: ids[4]! })).ids).toEqual([]);
    expect((await actualPage(threadId, { order: 'desc', before: ids[4]! })).ids).toEqual([]);
  });

  // Sets run_id in the SQLite file (the API cannot).
  test.skipIf(testEngine !== 'sqlite')(
    'run_id filters; cursors keep their place whether or not they match',
    async () => {
      const { threadId, inserted } = await threadWithMessagesInOneSecond(12);
      // Runs cannot be made through this API: mark some messages as written by runs, in the database itself.
      const db = new Database(t.dbPath);
      const setRun = db.prepare('UPDATE messages SET run_id = ? WHERE id = ?');
      inserted.forEach((m, i) => {
        m.run_id = i % 3 === 0 ? 'run_a' : i % 3 === 1 ? 'run_b' : null;
        if (m.run_id) setRun.run(m.run_id, m.id);
      });
      // The stored answers follow, rendered as migration 006 renders rows it did not write.
      fillItemJson(db, itemViews);
      db.close();
      await deleteMessage(threadId, inserted[3]!);
      const page = await listPage(t.app, threadId, { run_id: 'run_a', order: 'asc' });
      expect((page.data as any[]).every((m) => m.run_id === 'run_a')).toBe(true);
      for (const order of ['asc', 'desc'] as const) {
        for (const run_id of ['run_a', 'run_b', 'run_none']) {
          await expectMatchesModel(threadId, inserted, { order, run_id });
          for (const cursor of [inserted[1]!.id, inserted[2]!.id, inserted[3]!.id, inserted[6]!.id]) {
            await expectMatchesModel(threadId, inserted, { order, run_id, limit: 2, after: cursor });
            await expectMatchesModel(threadId, inserted, { order, run_id, limit: 2, before: cursor });
          }
        }
      }
    },
  );

  test('unknown query parameters are ignored', async () => {
    const { threadId, inserted } = await threadWithMessagesInOneSecond(3);
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/threads/${threadId}/messages?order=asc&foo=bar&include[]=x`,
    });
    expect(res.json().data.map((m: { id: string }) => m.id)).toEqual(inserted.map((m) => m.id));
  });
});

describe('paging like the SDK', () => {
  test.each(['asc', 'desc'] as const)(
    '%s: following after=last_id while messages are created and deleted visits every survivor once',
    async (order) => {
      const { threadId, inserted } = await threadWithMessagesInOneSecond(41);
      const original = [...inserted];
      const visits = new Map<string, number>();
      let after: string | undefined;
      let round = 0;
      for (;;) {
        const page = await listPage(t.app, threadId, { order, limit: 4, ...(after ? { after } : {}) });
        for (const m of page.data) visits.set(m.id, (visits.get(m.id) ?? 0) + 1);
        if (!page.has_more) break;
        after = page.last_id!;
        round++;
        // Between pages: a new message, a deletion ahead of the cursor, and sometimes of the cursor itself.
        const created = await createMessage(t.app, threadId, { content: `new ${round}` });
        inserted.push({ id: created.id, deleted: false, run_id: null });
        const live = inserted.filter((m) => !m.deleted && !visits.has(m.id));
        const victim = live[(round * 7) % live.length];
        if (victim) await deleteMessage(threadId, victim);
        if (round % 3 === 0) await deleteMessage(threadId, inserted.find((m) => m.id === after)!);
        expect(round).toBeLessThan(100);
      }
      const survivors = original.filter((m) => !m.deleted).map((m) => m.id);
      for (const id of survivors) expect(visits.get(id), id).toBe(1);
      for (const count of visits.values()) expect(count).toBe(1);
      // In ascending order the messages created meanwhile come later, so they are visited too.
      if (order === 'asc') {
        for (const m of inserted.filter((m) => !m.deleted)) expect(visits.get(m.id), m.id).toBe(1);
      }
    },
  );
});

test('has_more at the exact boundary', async () => {
  const { threadId, inserted } = await threadWithMessagesInOneSecond(3);
  expect((await actualPage(threadId, { limit: 3 })).has_more).toBe(false);
  expect((await actualPage(threadId, { limit: 2 })).has_more).toBe(true);
  expect((await actualPage(threadId, { limit: 2, order: 'asc', after: inserted[0]!.id })).has_more).toBe(false);
  expect((await actualPage(threadId, { limit: 1, order: 'asc', before: inserted[2]!.id })).has_more).toBe(true);
  expect((await actualPage(threadId, { limit: 2, order: 'asc', before: inserted[2]!.id })).has_more).toBe(false);
});

test('a deleted message of another thread is no cursor here', async () => {
  const { threadId } = await threadWithMessagesInOneSecond(2);
  const other = await createThread(t.app);
  const foreign = await createMessage(t.app, other.id);
  await t.app.inject({ method: 'DELETE', url: `/v1/threads/${other.id}/messages/${foreign.id}` });
  const res = await t.app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages?after=${foreign.id}` });
  expect(res.statusCode).toBe(400);
  expect(res.json().error).toEqual({
    message: `Invalid 'after': no message with id '${foreign.id}' in this thread.`,
    type: 'invalid_request_error',
    param: 'after',
    code: 'invalid_value',
  });
});
