import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePythonSdk, PYTHON_SDK_MAJORS, type PythonSdk, pythonScript, runPython } from '../helpers/python-sdk.js';
import { scriptedModel } from '../helpers/run-script.js';
import { type RunsApp, startRunsApp } from '../helpers/runs.js';

/*
 * openai-python 2 and 3 run test/python/runs_roundtrip.py against a listening server whose runs execute on
 * the scripted upstream: create_and_poll, submit_tool_outputs_and_poll, create_and_run_poll, runs.stream with
 * an AssistantEventHandler and get_final_run/get_final_messages, submit_tool_outputs_stream, cancel and poll.
 * Where a major cannot be installed (no python3, venv or index), it skips.
 */

describe.each(PYTHON_SDK_MAJORS)('openai-python %i', (major) => {
  let sdk: PythonSdk;
  let t: RunsApp;
  let baseUrl: string;

  beforeAll(async () => {
    sdk = await preparePythonSdk(major);
    t = await startRunsApp(scriptedModel);
    baseUrl = `${await t.app.listen({ port: 0, host: '127.0.0.1' })}/v1`;
  }, 300_000);
  afterAll(async () => t?.close());

  it('runs every run helper end to end', async (ctx) => {
    if ('skip' in sdk) return ctx.skip(sdk.skip);
    const out = JSON.parse(await runPython(sdk.python, pythonScript('runs_roundtrip.py'), [baseUrl]));
    expect(out).toEqual({
      create_and_poll: { status: 'completed', answer: 'Hello from the model', usage: expect.any(Number) },
      tool_calls: {
        waiting: 'requires_action',
        arguments: ['{"city":"Paris"}', '{"city":"Rome"}'],
        status: 'completed',
        answer: 'Weather: 20C, 25C',
      },
      create_and_run_poll: { status: 'completed' },
      stream: {
        status: 'completed',
        text: 'Hello from the model',
        final_message: 'Hello from the model',
        last_event: 'thread.run.completed',
      },
      tool_stream: {
        waiting: 'requires_action',
        arguments: '{"city":"Paris"}',
        status: 'completed',
        text: 'Weather: 20C',
      },
      cancel: { cancelling: 'cancelling', status: 'cancelled' },
    });
  }, 120_000);
});
