import OpenAI from 'openai';
import { afterEach, expect, test } from 'vitest';
import { startScriptedUpstream, type ScriptedUpstream } from '../helpers/scripted-upstream.mjs';

// The scripted upstream is checked with the openai package's own Chat Completions stream reader, so what
// the client under test reads is the protocol as the SDK understands it.

let upstream: ScriptedUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

const client = (url: string) => new OpenAI({ baseURL: url, apiKey: 'sk-test', maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'Hi' }];

test('a text turn streams as the SDK accumulates it, usage last', async () => {
  upstream = await startScriptedUpstream([
    { text: ['Hel', 'lo', '!'], usage: { prompt_tokens: 7, completion_tokens: 3 } },
  ]);
  const stream = client(upstream.url).chat.completions.stream({
    model: 'gpt-4o',
    messages,
    stream_options: { include_usage: true },
  });
  const fragments: string[] = [];
  stream.on('content.delta', ({ delta }) => fragments.push(delta));
  const completion = await stream.finalChatCompletion();
  expect(fragments).toEqual(['Hel', 'lo', '!']);
  expect(completion.choices[0]).toMatchObject({
    finish_reason: 'stop',
    message: { role: 'assistant', content: 'Hello!' },
  });
  expect(completion.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  expect(upstream.requests).toHaveLength(1);
  expect(upstream.requests[0]).toMatchObject({
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { authorization: 'Bearer sk-test' },
    body: { model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } },
  });
});

test('tool calls stream as fragments the SDK joins into whole calls', async () => {
  upstream = await startScriptedUpstream([
    {
      toolCalls: [
        { name: 'get_weather', arguments: ['{"city"', ':"Paris"}'], id: 'call_a' },
        { name: 'get_time', arguments: ['{}'] },
      ],
    },
  ]);
  const completion = await client(upstream.url)
    .chat.completions.stream({ model: 'gpt-4o', messages, stream_options: { include_usage: true } })
    .finalChatCompletion();
  expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  expect(completion.choices[0]?.message.tool_calls).toEqual([
    { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    { id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{}' } },
  ]);
  expect(completion.usage).toEqual({ prompt_tokens: 1, completion_tokens: 5, total_tokens: 6 });
});

test('the raw chunks: role first, id/type/name only on the first fragment, finish, usage with empty choices', async () => {
  upstream = await startScriptedUpstream([{ toolCalls: [{ name: 'f', arguments: ['{"a"', ':1}'] }] }]);
  const stream = await client(upstream.url).chat.completions.create({
    model: 'gpt-4o',
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push({ choices: chunk.choices, usage: chunk.usage });
  expect(chunks).toEqual([
    { choices: [{ index: 0, delta: { role: 'assistant', content: null }, logprobs: null, finish_reason: null }] },
    {
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, id: 'call_0', type: 'function', function: { name: 'f', arguments: '' } }] },
          logprobs: null,
          finish_reason: null,
        },
      ],
    },
    {
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] },
          logprobs: null,
          finish_reason: null,
        },
      ],
    },
    {
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] },
          logprobs: null,
          finish_reason: null,
        },
      ],
    },
    { choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }] },
    { choices: [], usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } },
  ]);
});

test('without include_usage no usage chunk is sent', async () => {
  upstream = await startScriptedUpstream([{ text: ['a'] }]);
  const stream = await client(upstream.url).chat.completions.create({ model: 'm', messages, stream: true });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  expect(chunks.map((chunk) => chunk.choices.length)).toEqual([1, 1, 1]);
  expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
});

test('the variants real servers send: id and name repeated, index or id left out, arguments with the name', async () => {
  upstream = await startScriptedUpstream([
    { toolCalls: [{ name: 'f', arguments: ['{"a"', ':1}'] }], repeatIdAndName: true },
    { toolCalls: [{ name: 'f', arguments: ['{}'] }], omitIndex: true, omitId: true },
    { toolCalls: [{ name: 'f', arguments: ['{"a":1}'], id: 'call_o' }], argumentsWithName: true },
  ]);
  const calls = async () => {
    const stream = await client(upstream!.url).chat.completions.create({ model: 'm', messages, stream: true });
    const fragments = [];
    for await (const chunk of stream) fragments.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
    return fragments;
  };
  expect(await calls()).toEqual([
    { index: 0, id: 'call_0', type: 'function', function: { name: 'f', arguments: '' } },
    { index: 0, id: 'call_0', type: 'function', function: { name: 'f', arguments: '{"a"' } },
    { index: 0, id: 'call_0', type: 'function', function: { name: 'f', arguments: ':1}' } },
  ]);
  expect(await calls()).toEqual([
    { type: 'function', function: { name: 'f', arguments: '' } },
    { function: { arguments: '{}' } },
  ]);
  expect(await calls()).toEqual([
    { index: 0, id: 'call_o', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
  ]);
});

test('stream: false answers one chat.completion', async () => {
  upstream = await startScriptedUpstream((request) =>
    request.body.tools
      ? { toolCalls: [{ name: 'f', arguments: ['{"a"', ':1}'] }] }
      : { text: ['Hel', 'lo'], finish: 'length' },
  );
  const text = await client(upstream.url).chat.completions.create({ model: 'm', messages });
  expect(text.choices[0]).toEqual({
    index: 0,
    message: { role: 'assistant', content: 'Hello', refusal: null },
    logprobs: null,
    finish_reason: 'length',
  });
  expect(text.usage).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
  const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } }];
  const call = await client(upstream.url).chat.completions.create({ model: 'm', messages, tools });
  expect(call.choices[0]?.message.tool_calls).toEqual([
    { id: 'call_0', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
  ]);
  expect(call.choices[0]?.finish_reason).toBe('tool_calls');
});

test('a status turn answers that status and body; the SDK reads the error', async () => {
  upstream = await startScriptedUpstream([
    {
      status: 429,
      body: { error: { message: 'Slow down.', type: 'requests', code: 'rate_limit_exceeded' } },
      headers: { 'retry-after': '2' },
    },
  ]);
  const error = await client(upstream.url)
    .chat.completions.create({ model: 'm', messages })
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  expect((error as InstanceType<typeof OpenAI.RateLimitError>).message).toBe('429 Slow down.');
  expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('2');
});

test('a request past the end of the script gets a 500 saying so', async () => {
  upstream = await startScriptedUpstream([]);
  const error = await client(upstream.url)
    .chat.completions.create({ model: 'm', messages })
    .catch((caught: unknown) => caught);
  expect((error as Error).message).toBe('500 The script has no turn for request 0.');
});

test('the SDK reports the faults: malformed chunk, dropped connection', async () => {
  upstream = await startScriptedUpstream([{ fault: 'malformed-chunk' }, { fault: 'drop-mid-chunk' }]);
  const read = async () => {
    const stream = await client(upstream!.url).chat.completions.create({ model: 'm', messages, stream: true });
    for await (const _ of stream);
  };
  await expect(read()).rejects.toThrow(/JSON/);
  await expect(read()).rejects.toThrow();
});
