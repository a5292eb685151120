import { Type, type Static } from 'typebox';
import { IdParam, ListResponse, Metadata, PageQueryFields, ThreadIdParam } from './common.js';
import { Usage } from './runs.js';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const FunctionToolCall = Type.Object({
  id: Type.String(),
  type: Type.Literal('function'),
  function: Type.Object({ name: Type.String(), arguments: Type.String(), output: nullable(Type.String()) }),
});

/** One shape with optional members, as message content parts are (serialization without per-value matching). */
const StepDetails = Type.Object({
  type: Type.Union([Type.Literal('message_creation'), Type.Literal('tool_calls')]),
  message_creation: Type.Optional(Type.Object({ message_id: Type.String() })),
  tool_calls: Type.Optional(Type.Array(FunctionToolCall)),
});

export const RunStepObject = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('thread.run.step'),
    created_at: Type.Integer(),
    assistant_id: Type.String(),
    thread_id: Type.String(),
    run_id: Type.String(),
    type: Type.Union([Type.Literal('message_creation'), Type.Literal('tool_calls')]),
    status: Type.Union([
      Type.Literal('in_progress'),
      Type.Literal('cancelled'),
      Type.Literal('failed'),
      Type.Literal('completed'),
      Type.Literal('expired'),
    ]),
    step_details: StepDetails,
    last_error: nullable(
      Type.Object({
        code: Type.Union([Type.Literal('server_error'), Type.Literal('rate_limit_exceeded')]),
        message: Type.String(),
      }),
    ),
    expired_at: nullable(Type.Integer()),
    cancelled_at: nullable(Type.Integer()),
    failed_at: nullable(Type.Integer()),
    completed_at: nullable(Type.Integer()),
    metadata: Metadata,
    usage: nullable(Usage),
  },
  { title: 'RunStepObject' },
);

export const ListRunStepsResponse = ListResponse(RunStepObject, 'ListRunStepsResponse');

export const RunStepParams = Type.Object({
  thread_id: ThreadIdParam('thread'),
  run_id: IdParam('run'),
  step_id: IdParam('step'),
});

/** Unknown query parameters are ignored, so the SDKs' `include[]=…` (file search only) is accepted and ignored. */
export const ListRunStepsQuery = Type.Object(PageQueryFields);

export type FunctionToolCall = Static<typeof FunctionToolCall>;
export type RunStepObject = Static<typeof RunStepObject>;
export type RunStepStatus = RunStepObject['status'];
