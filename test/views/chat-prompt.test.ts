import { describe, expect, it } from 'vitest';
import type { RunStepObject } from '../../src/schemas/run-steps.js';
import type { ItemRecord } from '../../src/store/records.js';
import { chatRequestOf } from '../../src/views/chat-prompt.js';
import { newRun, newStep } from '../../src/views/run-view.js';

const assistant = {
  id: 'asst_1',
  model: 'gpt-4o',
  instructions: 'Be brief.',
  temperature: 1,
  top_p: 1,
  response_format: 'auto' as const,
  tools: [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object' } } }],
};

function message(id: string, role: 'user' | 'assistant', text: string, runId: string | null = null): ItemRecord {
  return {
    id,
    created_at: 1,
    type: 'message',
    role,
    item: null,
    content: [{ type: 'text', text: { value: text, annotations: [] } }],
    status: 'completed',
    incomplete_details: null,
    completed_at: 1,
    incomplete_at: null,
    assistant_id: runId && 'asst_1',
    run_id: runId,
    attachments: [],
    metadata: {},
  };
}

const spent = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

describe('chat prompt', () => {
  it('maps a run with defaults to a request without default fields', () => {
    const run = newRun({ assistant_id: 'asst_1' }, assistant, 'thread_1', 100, 600);
    const request = chatRequestOf({ run, messages: [message('msg_1', 'user', 'hi')], steps: [], model: 'm', spent });
    expect(request).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
    });
  });

  it('passes overrides on, appends additional instructions, and sends the budget left as max_tokens', () => {
    const run = newRun(
      {
        assistant_id: 'asst_1',
        instructions: 'Override.',
        additional_instructions: 'Also this.',
        temperature: 0.2,
        top_p: 0.5,
        tool_choice: { type: 'function', function: { name: 'lookup' } },
        parallel_tool_calls: false,
        response_format: { type: 'json_object' },
        max_completion_tokens: 1000,
      },
      assistant,
      'thread_1',
      100,
      600,
    );
    expect(run.instructions).toBe('Override.\n\nAlso this.');
    const request = chatRequestOf({
      run,
      messages: [],
      steps: [],
      model: 'm',
      spent: { prompt_tokens: 10, completion_tokens: 300, total_tokens: 310 },
    });
    expect(request).toMatchObject({
      messages: [{ role: 'system', content: 'Override.\n\nAlso this.' }],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
      temperature: 0.2,
      top_p: 0.5,
      max_tokens: 700,
    });
  });

  it('keeps the last n messages, then adds this run’s finished tool calls with their outputs', () => {
    const run = newRun(
      { assistant_id: 'asst_1', truncation_strategy: { type: 'last_messages', last_messages: 1 } },
      assistant,
      'thread_1',
      100,
      600,
    );
    const step: RunStepObject = {
      ...newStep(run, 101, {
        type: 'tool_calls',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}', output: '42' } }],
      }),
      status: 'completed',
    };
    const messages = [message('msg_1', 'user', 'old'), message('msg_2', 'user', 'new')];
    const request = chatRequestOf({ run, messages, steps: [step], model: 'm', spent });
    expect(request.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'new' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '42' },
    ]);
  });

  it('puts the run’s own messages after the thread, in step order', () => {
    const run = newRun({ assistant_id: 'asst_1', instructions: '' }, { ...assistant, instructions: null }, 't', 1, 600);
    const own = message('msg_9', 'assistant', 'thinking', run.id);
    const step = newStep(run, 2, { type: 'message_creation', message_creation: { message_id: 'msg_9' } });
    const request = chatRequestOf({
      run,
      messages: [message('msg_1', 'user', 'q'), own],
      steps: [step],
      model: 'm',
      spent,
    });
    expect(request.messages).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'thinking' },
    ]);
  });

  it('drops messages from the middle to fit max_prompt_tokens under auto truncation', () => {
    const run = newRun(
      { assistant_id: 'asst_1', max_prompt_tokens: 256 },
      { ...assistant, instructions: null },
      't',
      1,
      600,
    );
    const big = 'x'.repeat(1200); // about 300 tokens
    const messages = [
      message('msg_1', 'user', 'first'),
      message('msg_2', 'user', big),
      message('msg_3', 'user', 'last'),
    ];
    const request = chatRequestOf({ run, messages, steps: [], model: 'm', spent });
    expect(request.messages.map((m) => m.content)).toEqual(['first', 'last']);
  });
});
