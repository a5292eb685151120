import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type OpenAI from 'openai';
import { type RunsApp, startRunsApp, weatherTool } from '../helpers/runs.js';
import { scriptedModel } from '../helpers/run-script.js';
import { expectRunConformsTo } from '../helpers/runs-schemas.js';

/*
 * The run helpers of openai-node 4, 5 and 6 (7 needs Node 22) against a listening server whose runs execute
 * on the scripted upstream: createAndPoll, submitToolOutputsAndPoll, createAndRunPoll, runs.stream with its
 * handlers and finalRun/finalMessages, submitToolOutputsStream, cancel.
 */

type Run = OpenAI.Beta.Threads.Run;
type Message = OpenAI.Beta.Threads.Message;
type Stream = {
  on(event: string, listener: (...args: any[]) => void): Stream;
  finalRun(): Promise<Run>;
  finalMessages(): Promise<Message[]>;
};

/** The run calls that differ between majors: v4 passes the thread id first, v5 and later in the body. */
interface RunCalls {
  client: any;
  createAndPoll(threadId: string, body: object): Promise<Run>;
  submitAndPoll(threadId: string, runId: string, outputs: object[]): Promise<Run>;
  createAndRunPoll(body: object): Promise<Run>;
  stream(threadId: string, body: object): Stream;
  submitStream(threadId: string, runId: string, outputs: object[]): Stream;
  cancel(threadId: string, runId: string): Promise<Run>;
  retrieve(threadId: string, runId: string): Promise<Run>;
  listSteps(threadId: string, runId: string): Promise<{ data: unknown[] }>;
}

function v4Calls(client: any): RunCalls {
  const runs = client.beta.threads.runs;
  return {
    client,
    createAndPoll: (threadId, body) => runs.createAndPoll(threadId, body),
    submitAndPoll: (threadId, runId, outputs) =>
      runs.submitToolOutputsAndPoll(threadId, runId, { tool_outputs: outputs }),
    createAndRunPoll: (body) => client.beta.threads.createAndRunPoll(body),
    stream: (threadId, body) => runs.stream(threadId, body),
    submitStream: (threadId, runId, outputs) =>
      runs.submitToolOutputsStream(threadId, runId, { tool_outputs: outputs }),
    cancel: (threadId, runId) => runs.cancel(threadId, runId),
    retrieve: (threadId, runId) => runs.retrieve(threadId, runId),
    listSteps: (threadId, runId) => runs.steps.list(threadId, runId),
  };
}

function modernCalls(client: any): RunCalls {
  const runs = client.beta.threads.runs;
  return {
    client,
    createAndPoll: (threadId, body) => runs.createAndPoll(threadId, body),
    submitAndPoll: (threadId, runId, outputs) =>
      runs.submitToolOutputsAndPoll(runId, { thread_id: threadId, tool_outputs: outputs }),
    createAndRunPoll: (body) => client.beta.threads.createAndRunPoll(body),
    stream: (threadId, body) => runs.stream(threadId, body),
    submitStream: (threadId, runId, outputs) =>
      runs.submitToolOutputsStream(runId, { thread_id: threadId, tool_outputs: outputs }),
    cancel: (threadId, runId) => runs.cancel(runId, { thread_id: threadId }),
    retrieve: (threadId, runId) => runs.retrieve(runId, { thread_id: threadId }),
    listSteps: (threadId, runId) => runs.steps.list(runId, { thread_id: threadId }),
  };
}

const nodeMajor = Number(process.versions.node.split('.')[0]);

const MAJORS = [
  { major: 4, load: async () => v4Calls, module: () => import('openai-v4') },
  { major: 5, load: async () => modernCalls, module: () => import('openai-v5') },
  { major: 6, load: async () => modernCalls, module: () => import('openai') },
  { major: 7, load: async () => modernCalls, module: () => import('openai-v7'), minNode: 22 },
] as const;

for (const sdk of MAJORS.filter((m) => 'minNode' in m && nodeMajor < m.minNode)) {
  it(`openai-node ${sdk.major}: skipped on this Node`, (ctx) => ctx.skip(`openai-node ${sdk.major} needs Node 22`));
}

describe.each(MAJORS.filter((m) => !('minNode' in m) || nodeMajor >= m.minNode))('openai-node $major', (sdk) => {
  let t: RunsApp;
  let calls: RunCalls;
  let assistantId: string;

  beforeAll(async () => {
    t = await startRunsApp(scriptedModel);
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const module = (await sdk.module()) as { default: new (options: object) => unknown };
    const client = new module.default({ baseURL: `${address}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    calls = (await sdk.load())(client);
    const assistant = await (client as any).beta.assistants.create({ model: 'gpt-4o', tools: [weatherTool] });
    assistantId = assistant.id;
  });
  afterAll(async () => t?.close());

  const newThread = (content: string) => calls.client.beta.threads.create({ messages: [{ role: 'user', content }] });

  it('createAndPoll runs to completed and the answer is in the thread', async () => {
    const thread = await newThread('Hi');
    const run = await calls.createAndPoll(thread.id, { assistant_id: assistantId });
    expect(run.status).toBe('completed');
    expectRunConformsTo('RunObject', JSON.parse(JSON.stringify(run)));
    const messages = await calls.client.beta.threads.messages.list(thread.id, { run_id: run.id });
    expect(messages.data[0].content[0].text.value).toBe('Hello from the model');
  });

  it('one tool call: createAndPoll stops at requires_action, submitToolOutputsAndPoll completes it', async () => {
    const thread = await newThread('What is the weather?');
    const waiting = await calls.createAndPoll(thread.id, { assistant_id: assistantId });
    expect(waiting.status).toBe('requires_action');
    const [call] = waiting.required_action!.submit_tool_outputs.tool_calls;
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    const run = await calls.submitAndPoll(thread.id, waiting.id, [{ tool_call_id: call!.id, output: '20C' }]);
    expect(run.status).toBe('completed');
    const steps = await calls.listSteps(thread.id, run.id);
    expect(steps.data).toHaveLength(2);
  });

  it('parallel tool calls take all outputs in one submit', async () => {
    const thread = await newThread('Weather in Paris and Rome?');
    const waiting = await calls.createAndPoll(thread.id, { assistant_id: assistantId });
    const toolCalls = waiting.required_action!.submit_tool_outputs.tool_calls;
    expect(toolCalls.map((c) => c.function.arguments)).toEqual(['{"city":"Paris"}', '{"city":"Rome"}']);
    const outputs = toolCalls.map((c, i) => ({ tool_call_id: c.id, output: ['20C', '25C'][i] }));
    const run = await calls.submitAndPoll(thread.id, waiting.id, outputs);
    expect(run.status).toBe('completed');
    const messages = await calls.client.beta.threads.messages.list(thread.id, { run_id: run.id });
    expect(messages.data[0].content[0].text.value).toBe('Weather: 20C, 25C');
  });

  it('createAndRunPoll makes the thread and runs it', async () => {
    const run = await calls.createAndRunPoll({
      assistant_id: assistantId,
      thread: { messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(run.status).toBe('completed');
  });

  it('runs.stream: text deltas add up, finalRun and finalMessages', async () => {
    const thread = await newThread('Hi');
    const stream = calls.stream(thread.id, { assistant_id: assistantId });
    const deltas: string[] = [];
    const events: string[] = [];
    stream.on('textDelta', (delta: { value?: string }) => deltas.push(delta.value ?? ''));
    stream.on('event', (event: { event: string }) => events.push(event.event));
    const run = await stream.finalRun();
    expect(run.status).toBe('completed');
    expect(deltas.join('')).toBe('Hello from the model');
    const [message] = await stream.finalMessages();
    expect(message!.content[0]).toMatchObject({ type: 'text', text: { value: 'Hello from the model' } });
    expect(events.at(-1)).toBe('thread.run.completed');
  });

  it('runs.stream to requires_action, then submitToolOutputsStream to the answer', async () => {
    const thread = await newThread('What is the weather?');
    const stream = calls.stream(thread.id, { assistant_id: assistantId });
    const argumentDeltas: string[] = [];
    stream.on('toolCallDelta', (delta: { function?: { arguments?: string } }) =>
      argumentDeltas.push(delta.function?.arguments ?? ''),
    );
    const waiting = await stream.finalRun();
    expect(waiting.status).toBe('requires_action');
    expect(argumentDeltas.join('')).toBe('{"city":"Paris"}');
    const [call] = waiting.required_action!.submit_tool_outputs.tool_calls;
    const next = calls.submitStream(thread.id, waiting.id, [{ tool_call_id: call!.id, output: '20C' }]);
    const run = await next.finalRun();
    expect(run.status).toBe('completed');
    const [message] = await next.finalMessages();
    expect(message!.content[0]).toMatchObject({ text: { value: 'Weather: 20C' } });
  });

  it('cancel: a run waiting for outputs ends cancelled', async () => {
    const thread = await newThread('What is the weather?');
    const waiting = await calls.createAndPoll(thread.id, { assistant_id: assistantId });
    const cancelling = await calls.cancel(thread.id, waiting.id);
    expect(cancelling.status).toBe('cancelling');
    for (let i = 0; i < 100; i++) {
      const run = await calls.retrieve(thread.id, waiting.id);
      if (run.status === 'cancelled') return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the run never ended cancelled');
  });
});
