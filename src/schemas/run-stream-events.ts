import { type Static, type TSchema, Type } from 'typebox';
import { MessageObject } from './messages.js';
import { RunStepObject } from './run-steps.js';
import { RunObject } from './runs.js';
import { ThreadObject } from './threads.js';

/*
 * The events of a run's `text/event-stream` (src/views/run-events.ts makes them, src/http/sse.ts sends
 * them), under OpenAI's component names (its AssistantStreamEvent), limited to the events and the delta
 * members we send. The stream is written as it is, never through these schemas: they document it.
 */

/** Exactly one of `schemas`, as OpenAI's spec writes its event unions (the event names tell them apart). */
const oneOf = <T extends TSchema[]>(schemas: [...T], options: { title: string; description?: string }) =>
  Type.Unsafe<Static<T[number]>>({ ...options, oneOf: schemas });

const event = <Name extends string, Data extends TSchema>(name: Name, data: Data, description: string) =>
  Type.Object({ event: Type.Literal(name), data }, { description });

export const MessageDeltaContentTextObject = Type.Object(
  {
    index: Type.Integer(),
    type: Type.Literal('text'),
    // The first delta of a message carries `annotations: []`; none is ever made (no file search here).
    text: Type.Object({
      value: Type.String(),
      annotations: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 0 })),
    }),
  },
  { title: 'MessageDeltaContentTextObject' },
);

export const MessageDeltaObject = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('thread.message.delta'),
    delta: Type.Object({ content: Type.Array(MessageDeltaContentTextObject) }),
  },
  { title: 'MessageDeltaObject', description: 'Text added to a message as it streams: concatenate by `index`.' },
);

export const RunStepDeltaStepDetailsToolCallsFunctionObject = Type.Object(
  {
    index: Type.Integer(),
    id: Type.Optional(Type.String()),
    type: Type.Literal('function'),
    function: Type.Object({
      name: Type.Optional(Type.String()),
      arguments: Type.Optional(Type.String()),
      output: Type.Optional(Type.Null()),
    }),
  },
  {
    title: 'RunStepDeltaStepDetailsToolCallsFunctionObject',
    description: "A call's first delta has its `id`, `name` and `output: null`; the next ones argument fragments.",
  },
);

export const RunStepDeltaStepDetailsToolCallsObject = Type.Object(
  { type: Type.Literal('tool_calls'), tool_calls: Type.Array(RunStepDeltaStepDetailsToolCallsFunctionObject) },
  { title: 'RunStepDeltaStepDetailsToolCallsObject' },
);

export const RunStepDeltaObject = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('thread.run.step.delta'),
    delta: Type.Object({ step_details: RunStepDeltaStepDetailsToolCallsObject }),
  },
  { title: 'RunStepDeltaObject', description: 'Function calls of a tool-calls step as they stream.' },
);

export const ThreadStreamEvent = oneOf(
  [event('thread.created', ThreadObject, 'A thread was created (create-thread-and-run).')],
  { title: 'ThreadStreamEvent' },
);

export const RunStreamEvent = oneOf(
  [
    event('thread.run.created', RunObject, 'A run was created.'),
    event('thread.run.queued', RunObject, 'A run moved to `queued`.'),
    event('thread.run.in_progress', RunObject, 'A run moved to `in_progress`.'),
    event('thread.run.requires_action', RunObject, 'A run moved to `requires_action`: the stream ends.'),
    event('thread.run.completed', RunObject, 'A run completed.'),
    event('thread.run.incomplete', RunObject, 'A run ended `incomplete`.'),
    event('thread.run.failed', RunObject, 'A run failed (its `last_error` says why).'),
    event('thread.run.cancelling', RunObject, 'A run moved to `cancelling`.'),
    event('thread.run.cancelled', RunObject, 'A run was cancelled.'),
    event('thread.run.expired', RunObject, 'A run expired.'),
  ],
  { title: 'RunStreamEvent' },
);

export const RunStepStreamEvent = oneOf(
  [
    event('thread.run.step.created', RunStepObject, 'A run step was created.'),
    event('thread.run.step.in_progress', RunStepObject, 'A run step moved to `in_progress`.'),
    event('thread.run.step.delta', RunStepDeltaObject, 'Parts of a tool-calls step, as they stream.'),
    event('thread.run.step.completed', RunStepObject, 'A run step completed.'),
    event('thread.run.step.failed', RunStepObject, 'A run step failed.'),
    event('thread.run.step.cancelled', RunStepObject, 'A run step was cancelled.'),
    event('thread.run.step.expired', RunStepObject, 'A run step expired.'),
  ],
  { title: 'RunStepStreamEvent' },
);

export const MessageStreamEvent = oneOf(
  [
    event('thread.message.created', MessageObject, 'A message was created.'),
    event('thread.message.in_progress', MessageObject, 'A message moved to `in_progress`.'),
    event('thread.message.delta', MessageDeltaObject, 'Parts of a message, as they stream.'),
    event('thread.message.completed', MessageObject, 'A message completed.'),
    event('thread.message.incomplete', MessageObject, 'A message ended before it was completed.'),
  ],
  { title: 'MessageStreamEvent' },
);

export const DoneEvent = Type.Object(
  { event: Type.Literal('done'), data: Type.Literal('[DONE]') },
  { title: 'DoneEvent', description: 'The stream ends.' },
);

export const AssistantStreamEvent = oneOf(
  [ThreadStreamEvent, RunStreamEvent, RunStepStreamEvent, MessageStreamEvent, DoneEvent],
  {
    title: 'AssistantStreamEvent',
    description:
      'One server-sent event of a run: `event: <name>`, then `data: <JSON>`. The stream ends with `done` once the run ' +
      'finishes or needs action (`thread.run.requires_action`). No `error` event is sent: a run that fails ' +
      'ends with `thread.run.failed` and its `last_error`.',
  },
);

/**
 * The 200 answer of a run create, create-thread-and-run and a tool-outputs submit: the run as JSON, or with
 * `stream: true` its events. The stream is a stream body, which Fastify sends without serialising, and
 * our serializer compiler compiles nothing for it (src/schemas/compile/serialization.ts).
 */
export const RunOrEventStream = {
  content: {
    'application/json': { schema: RunObject },
    'text/event-stream': { schema: AssistantStreamEvent },
  },
};

export type AssistantStreamEvent = Static<typeof AssistantStreamEvent>;
export type FunctionToolCallDelta = Static<typeof RunStepDeltaStepDetailsToolCallsFunctionObject>;
