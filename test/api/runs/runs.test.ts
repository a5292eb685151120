import { afterEach, describe, expect, test } from 'vitest';
import { expectError } from '../../helpers/api.js';
import { buildTestApp } from '../../helpers/app.js';
import { type RunsApp, startRunsApp, weatherTool } from '../../helpers/runs.js';
import { expectRunConformsTo } from '../../helpers/runs-schemas.js';

let t: RunsApp;
afterEach(async () => t?.close());

async function setUp(
  turns: Parameters<typeof startRunsApp>[0],
  env: Record<string, string> = {},
  assistant: object = {},
) {
  t = await startRunsApp(turns, env);
  const asst = await t.ok('/v1/assistants', { model: 'gpt-4o', instructions: 'Be brief.', ...assistant });
  const thread = await t.ok('/v1/threads', { messages: [{ role: 'user', content: 'Hello?' }] });
  return { asst, thread };
}

describe('a run that answers with text', () => {
  test('goes queued → completed, writes the assistant message and its step, with the upstream usage', async () => {
    const { asst, thread } = await setUp([
      { text: ['Hi', ' there'], usage: { prompt_tokens: 12, completion_tokens: 3 } },
    ]);
    const created = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, metadata: { k: 'v' } });
    expectRunConformsTo('RunObject', created);
    expect(created).toMatchObject({
      object: 'thread.run',
      thread_id: thread.id,
      assistant_id: asst.id,
      status: 'queued',
      model: 'gpt-4o',
      instructions: 'Be brief.',
      tools: [],
      metadata: { k: 'v' },
      usage: null,
      expires_at: created.created_at + 600,
      started_at: null,
      truncation_strategy: { type: 'auto', last_messages: null },
      tool_choice: 'auto',
      response_format: 'auto',
      parallel_tool_calls: true,
      temperature: 1,
      top_p: 1,
      max_prompt_tokens: null,
      max_completion_tokens: null,
      required_action: null,
      last_error: null,
      incomplete_details: null,
    });
    const run = await t.waitFor(thread.id, created.id, ['completed', 'failed']);
    expectRunConformsTo('RunObject', run);
    expect(run).toMatchObject({
      status: 'completed',
      expires_at: null,
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
    });
    expect(run.started_at).toBeTypeOf('number');
    expect(run.completed_at).toBeTypeOf('number');

    const got = await t.call('GET', `/v1/threads/${thread.id}/runs/${run.id}`);
    expect(got.headers['openai-poll-after-ms']).toBe('500');

    const messages = await t.get(`/v1/threads/${thread.id}/messages?run_id=${run.id}`);
    expect(messages.data).toHaveLength(1);
    const [message] = messages.data;
    expect(message).toMatchObject({
      role: 'assistant',
      status: 'completed',
      assistant_id: asst.id,
      run_id: run.id,
      content: [{ type: 'text', text: { value: 'Hi there', annotations: [] } }],
    });
    expectRunConformsTo('MessageObject', message);
    // The conversation view shows it too, as an assistant message item.
    const items = await t.get(`/v1/conversations/${thread.id}/items?order=asc`);
    expect(items.data.at(-1)).toMatchObject({ id: message.id, type: 'message', role: 'assistant' });

    const steps = await t.get(`/v1/threads/${thread.id}/runs/${run.id}/steps`);
    expectRunConformsTo('ListRunStepsResponse', steps);
    expect(steps.data).toHaveLength(1);
    expect(steps.data[0]).toMatchObject({
      object: 'thread.run.step',
      type: 'message_creation',
      status: 'completed',
      run_id: run.id,
      thread_id: thread.id,
      assistant_id: asst.id,
      step_details: { type: 'message_creation', message_creation: { message_id: message.id } },
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
    });
    const step = await t.get(`/v1/threads/${thread.id}/runs/${run.id}/steps/${steps.data[0].id}`);
    expect(step).toEqual(steps.data[0]);

    expect(t.upstream.requests).toHaveLength(1);
    expect(t.upstream.requests[0]!.body).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello?' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });

    const list = await t.get(`/v1/threads/${thread.id}/runs`);
    expectRunConformsTo('ListRunsResponse', list);
    expect(list).toEqual({ object: 'list', data: [run], first_id: run.id, last_id: run.id, has_more: false });
  });

  test('takes every parameter: overrides, additional messages and instructions, budgets, truncation', async () => {
    const { asst, thread } = await setUp([{ text: ['ok'] }]);
    const body = {
      assistant_id: asst.id,
      model: 'gpt-4o-mini',
      instructions: 'Override.',
      additional_instructions: 'Also this.',
      additional_messages: [{ role: 'user', content: 'And this?' }],
      tools: [weatherTool],
      metadata: { a: 'b' },
      temperature: 0.3,
      top_p: 0.9,
      stream: false,
      max_prompt_tokens: 5000,
      max_completion_tokens: 1000,
      truncation_strategy: { type: 'last_messages', last_messages: 1 },
      tool_choice: 'none',
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
    };
    const created = await t.ok(`/v1/threads/${thread.id}/runs`, body);
    expectRunConformsTo('RunObject', created);
    expect(created).toMatchObject({
      model: 'gpt-4o-mini',
      instructions: 'Override.\n\nAlso this.',
      tools: [weatherTool],
      metadata: { a: 'b' },
      temperature: 0.3,
      top_p: 0.9,
      max_prompt_tokens: 5000,
      max_completion_tokens: 1000,
      truncation_strategy: { type: 'last_messages', last_messages: 1 },
      tool_choice: 'none',
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
    });
    await t.waitFor(thread.id, created.id, ['completed']);
    expect(t.upstream.requests[0]!.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Override.\n\nAlso this.' },
        { role: 'user', content: 'And this?' },
      ],
      tools: [weatherTool],
      tool_choice: 'none',
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 1000,
      stream: true,
      stream_options: { include_usage: true },
    });
    // The additional message is in the thread, before the answer.
    const messages = await t.get(`/v1/threads/${thread.id}/messages?order=asc`);
    expect(messages.data.map((m: { role: string }) => m.role)).toEqual(['user', 'user', 'assistant']);
  });

  test('modify changes metadata only; list pages newest first', async () => {
    const { asst, thread } = await setUp([{ text: ['one'] }, { text: ['two'] }]);
    const first = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    await t.waitFor(thread.id, first.id, ['completed']);
    const second = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    await t.waitFor(thread.id, second.id, ['completed']);
    const modified = await t.ok(`/v1/threads/${thread.id}/runs/${first.id}`, { metadata: { x: 'y' } });
    expect(modified).toMatchObject({ id: first.id, status: 'completed', metadata: { x: 'y' } });
    const page = await t.get(`/v1/threads/${thread.id}/runs?limit=1`);
    expect(page).toMatchObject({ first_id: second.id, has_more: true });
    const next = await t.get(`/v1/threads/${thread.id}/runs?limit=1&after=${second.id}`);
    expect(next).toMatchObject({ first_id: first.id, has_more: false });
    expectError(await t.call('GET', `/v1/threads/${thread.id}/runs?after=run_nope`), 400, {
      message: "Invalid 'after': no run with id 'run_nope' in this thread.",
      param: 'after',
      code: 'invalid_value',
    });
  });
});

describe('errors', () => {
  test('creating a run without an upstream configured is a 503 saying how to configure one', async () => {
    const plain = await buildTestApp();
    try {
      const asst = (await plain.app.inject({ method: 'POST', url: '/v1/assistants', payload: { model: 'm' } })).json();
      const thread = (await plain.app.inject({ method: 'POST', url: '/v1/threads', payload: {} })).json();
      const res = await plain.app.inject({
        method: 'POST',
        url: `/v1/threads/${thread.id}/runs`,
        payload: { assistant_id: asst.id },
      });
      expectError(res, 503, {
        message:
          'Runs are not available: no model upstream is configured. Set UPSTREAM_BASE_URL (and UPSTREAM_API_KEY) to an OpenAI-compatible Chat Completions server and restart.',
        param: null,
        code: 'upstream_not_configured',
        type: 'server_error',
      });
      expect(res.headers['x-should-retry']).toBe('false');
    } finally {
      await plain.close();
    }
  });

  test('missing thread, assistant, run and step are 404s; hosted-only tools are 400s', async () => {
    const { asst, thread } = await setUp([{ text: ['x'] }]);
    const missing = (message: string) => ({ message, param: null, code: null });
    expectError(
      await t.call('POST', '/v1/threads/thread_nope/runs', { assistant_id: asst.id }),
      404,
      missing("No thread found with id 'thread_nope'."),
    );
    expectError(
      await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: 'asst_nope' }),
      404,
      missing("No assistant found with id 'asst_nope'."),
    );
    expectError(
      await t.call('GET', `/v1/threads/${thread.id}/runs/run_nope`),
      404,
      missing("No run found with id 'run_nope'."),
    );
    expectError(
      await t.call('GET', `/v1/threads/${thread.id}/runs/run_nope/steps`),
      404,
      missing("No run found with id 'run_nope'."),
    );
    expectError(
      await t.call('GET', '/v1/threads/thread_nope/runs/run_nope'),
      404,
      missing("No thread found with id 'thread_nope'."),
    );
    expectError(await t.call('GET', `/v1/threads/${thread.id}/runs/abc`), 400, {
      message: "Invalid 'run_id': 'abc'. Expected an ID that begins with 'run'.",
      param: 'run_id',
      code: 'invalid_value',
    });
    const hosted = await t.call('POST', `/v1/threads/${thread.id}/runs`, {
      assistant_id: asst.id,
      tools: [{ type: 'code_interpreter' }],
    });
    expectError(hosted, 400, {
      message:
        "The 'code_interpreter' tool cannot run on this server: runs execute on a Chat Completions upstream, which offers function tools only. Remove it from the run's or the assistant's tools.",
      param: 'tools',
      code: 'unsupported_value',
    });
    expectError(
      await t.call('POST', `/v1/threads/${thread.id}/runs`, {
        assistant_id: asst.id,
        tool_choice: { type: 'file_search' },
      }),
      400,
      {
        message:
          "The 'file_search' tool cannot run on this server: runs execute on a Chat Completions upstream, which offers function tools only. Remove it from the run's or the assistant's tools.",
        param: 'tool_choice',
        code: 'unsupported_value',
      },
    );
    const run = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    await t.waitFor(thread.id, run.id, ['completed']);
    expectError(
      await t.call('GET', `/v1/threads/${thread.id}/runs/${run.id}/steps/step_nope`),
      404,
      missing("No run step found with id 'step_nope'."),
    );
    expectError(
      await t.call('POST', `/v1/threads/${thread.id}/runs/${run.id}/cancel`),
      400,
      missing("Cannot cancel run with status 'completed'."),
    );
    expectError(
      await t.call('POST', `/v1/threads/${thread.id}/runs/${run.id}/submit_tool_outputs`, { tool_outputs: [] }),
      400,
      missing('Runs in status "completed" do not accept tool outputs.'),
    );
    expectError(await t.call('POST', `/v1/threads/${thread.id}/runs`, { assistant_id: asst.id, bogus: 1 }), 400, {
      message: "Unknown parameter: 'bogus'.",
      param: 'bogus',
      code: 'unknown_parameter',
    });
  });

  test('an upstream 429 fails the run with rate_limit_exceeded, a 500 with server_error: never a 500 to the client', async () => {
    const { asst, thread } = await setUp([
      { status: 429, body: { error: { message: 'Slow down' } } },
      { status: 500, body: { error: { message: 'Boom' } } },
    ]);
    const first = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    const failed = await t.waitFor(thread.id, first.id, ['failed', 'completed']);
    expectRunConformsTo('RunObject', failed);
    expect(failed).toMatchObject({ status: 'failed', expires_at: null, last_error: { code: 'rate_limit_exceeded' } });
    expect(failed.failed_at).toBeTypeOf('number');
    const second = await t.ok(`/v1/threads/${thread.id}/runs`, { assistant_id: asst.id });
    expect(await t.waitFor(thread.id, second.id, ['failed', 'completed'])).toMatchObject({
      status: 'failed',
      last_error: { code: 'server_error' },
    });
  });
});
