import { afterEach, describe, expect, test } from 'vitest';
import { parseEvents, type RunsApp, startRunsApp } from '../../helpers/runs.js';

let t: RunsApp;
afterEach(async () => t?.close());

const key = (value: string) => ({ 'idempotency-key': value });

async function setUp() {
  t = await startRunsApp(() => ({ text: ['Hello'] }));
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o' });
  const thread = await t.ok('/v1/threads', { messages: [{ role: 'user', content: 'Hi' }] });
  return { asst, thread };
}

const conflict = {
  error: {
    message: 'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
    type: 'invalid_request_error',
    param: null,
    code: 'idempotency_key_reused',
  },
};

describe('Idempotency-Key on run creates', () => {
  test('a retried run create answers the first run and starts nothing more; another body is the 409', async () => {
    const { asst, thread } = await setUp();
    const body = { assistant_id: asst.id, additional_messages: [{ role: 'user', content: 'Again' }] };
    const first = await t.ok(`/v1/threads/${thread.id}/runs`, body, key('run-1'));
    await t.waitFor(thread.id, first.id, ['completed']);
    // The run is finished, so a second run would be allowed: the key alone keeps it from being made.
    const again = await t.ok(`/v1/threads/${thread.id}/runs`, body, key('run-1'));
    expect(again).toEqual(first);
    const runs = await t.get(`/v1/threads/${thread.id}/runs`);
    expect(runs.data.map((run: { id: string }) => run.id)).toEqual([first.id]);
    expect(t.upstream.requests).toHaveLength(1);
    const messages = await t.get(`/v1/threads/${thread.id}/messages`);
    expect(messages.data).toHaveLength(3);

    const other = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id }, key('run-1'));
    expect(other.statusCode).toBe(409);
    expect(other.json()).toEqual(conflict);
  });

  test('concurrent creates with one key make one run, and all answer it', async () => {
    const { asst, thread } = await setUp();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id }, key('same')),
      ),
    );
    expect(answers.map((res) => res.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const ids = new Set(answers.map((res) => res.json().id));
    expect(ids.size).toBe(1);
    const runs = await t.get(`/v1/threads/${thread.id}/runs`);
    expect(runs.data).toHaveLength(1);
  });

  test('a streamed create, retried, answers the run as created, as JSON, and starts nothing more', async () => {
    const { asst, thread } = await setUp();
    const body = { assistant_id: asst.id, stream: true };
    const streamed = await t.call('POST', `/v1/threads/${thread.id}/runs`, body, key('stream-1'));
    expect(streamed.headers['content-type']).toMatch(/^text\/event-stream/);
    const created = parseEvents(streamed.body).find((e) => e.event === 'thread.run.created')!.data;
    const replay = await t.call('POST', `/v1/threads/${thread.id}/runs`, body, key('stream-1'));
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['content-type']).toMatch(/^application\/json/);
    expect(replay.json()).toEqual(created);
    expect(t.upstream.requests).toHaveLength(1);
    // The key covers the body: the same run asked without `stream` is another request.
    const unstreamed = await t.call(
      'POST',
      `/v1/threads/${thread.id}/runs`,
      { assistant_id: asst.id },
      key('stream-1'),
    );
    expect(unstreamed.statusCode).toBe(409);
  });

  test('create-thread-and-run, retried, answers the first run on the first thread; nothing more is made', async () => {
    const { asst } = await setUp();
    const body = { assistant_id: asst.id, thread: { messages: [{ role: 'user', content: 'New' }] } };
    const first = await t.ok('/v1/threads/runs', body, key('thread-run-1'));
    await t.waitFor(first.thread_id, first.id, ['completed']);
    const again = await t.ok('/v1/threads/runs', body, key('thread-run-1'));
    expect(again).toEqual(first);
    const threads = await t.get('/v1/threads?limit=100');
    expect(threads.data.map((thread: { id: string }) => thread.id)).toContain(first.thread_id);
    expect(threads.data).toHaveLength(2);
    expect(t.upstream.requests).toHaveLength(1);
    const other = await t.call('POST', '/v1/threads/runs', { assistant_id: asst.id }, key('thread-run-1'));
    expect(other.statusCode).toBe(409);
    expect(other.json()).toEqual(conflict);
  });

  test('a replay after its thread was deleted answers the 404 a first try would', async () => {
    const { asst, thread } = await setUp();
    const first = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id }, key('gone'));
    await t.waitFor(thread.id, first.id, ['completed']);
    await t.call('DELETE', `/v1/threads/${thread.id}`);
    const replay = await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id }, key('gone'));
    expect(replay.statusCode).toBe(404);
    expect(replay.json().error.message).toBe(`No thread found with id '${thread.id}'.`);
  });
});
