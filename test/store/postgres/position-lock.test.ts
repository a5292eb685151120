// Why a reader never skips a message on PostgreSQL: a message takes its position only while holding its
// thread's row lock, kept until it commits. So while one write to a thread is in flight, the next one waits
// and cannot commit a later position first, which a reader paging with `after` would otherwise step over.
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.js';

describe('positions are taken under the thread row lock', () => {
  let t: TestApp;
  let holder: pg.Client;
  beforeEach(async () => {
    t = await buildTestApp();
    holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
  });
  afterEach(async () => {
    await holder.end();
    await t.close();
  });

  /**
   * Polls (bounded) until a statement of the app waits on a lock held by `holder`: the position's update, or
   * the thread lock a message create takes first to check for an active run.
   */
  async function waitUntilBlocked() {
    for (let i = 0; i < 800; i++) {
      // `holder` is inside its transaction, where pg_stat_activity is read once and kept: look afresh each time.
      await holder.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await holder.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid)) AND (query LIKE '%last_position%' OR query LIKE '%FROM threads%FOR UPDATE%')`,
      );
      if (rows[0].n > 0) return;
      await sleep(25);
    }
    throw new Error('the write never waited for the lock');
  }

  test('a write to a thread whose row is locked waits; readers do not; order follows commits', async () => {
    const thread = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/threads',
        payload: { messages: [{ role: 'user', content: 'first' }] },
      })
    ).json();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM threads WHERE id = $1 FOR UPDATE', [thread.id]);

    let done = false;
    const write = t.app
      .inject({
        method: 'POST',
        url: `/v1/threads/${thread.id}/messages`,
        payload: { role: 'user', content: 'second' },
      })
      .finally(() => (done = true));
    await waitUntilBlocked();
    expect(done).toBe(false);
    // Reading is not held up by the lock, and sees only what is committed.
    const during = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}/messages?order=asc` });
    expect(during.json().data.map((m: { content: { text: { value: string } }[] }) => m.content[0]!.text.value)).toEqual(
      ['first'],
    );

    await holder.query('COMMIT');
    const second = (await write).json();
    const after = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}/messages?order=asc` });
    expect(
      after
        .json()
        .data.map((m: { id: string }) => m.id)
        .at(-1),
    ).toBe(second.id);
    const { rows } = await holder.query('SELECT last_position FROM threads WHERE id = $1', [thread.id]);
    expect(rows[0].last_position).toBe('2');
  });
});

describe('PG_STATEMENT_TIMEOUT_MS', () => {
  test('a statement held up past the timeout is cut short and answered with 503', async () => {
    const t = await buildTestApp({ PG_STATEMENT_TIMEOUT_MS: '200' });
    const holder = new pg.Client({ connectionString: t.databaseUrl });
    await holder.connect();
    try {
      const thread = (await t.app.inject({ method: 'POST', url: '/v1/threads', payload: {} })).json();
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM threads WHERE id = $1 FOR UPDATE', [thread.id]);
      const res = await t.app.inject({
        method: 'POST',
        url: `/v1/threads/${thread.id}/messages`,
        payload: { role: 'user', content: 'x' },
      });
      await holder.query('ROLLBACK');
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toEqual({
        message: 'The server is overloaded or not ready yet.',
        type: 'server_error',
        param: null,
        code: null,
      });
      const list = await t.app.inject({ method: 'GET', url: `/v1/threads/${thread.id}/messages` });
      expect(list.json().data).toEqual([]);
    } finally {
      await holder.end();
      await t.close();
    }
  });
});
