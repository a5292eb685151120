import { Type, type Static } from 'typebox';
import { IdParam, ListResponse, Metadata, NullableMetadata, PageQueryFields, ThreadIdParam } from './common.js';
import { AssistantsApiResponseFormatOption, AssistantToolsDefinition, ReasoningEffort } from './assistants.js';
import { CreateMessageRequest } from './messages.js';
import { CreateThreadRequest } from './threads.js';

const closed = { additionalProperties: false } as const;
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const ToolChoice = Type.Union([
  Type.Literal('none'),
  Type.Literal('auto'),
  Type.Literal('required'),
  Type.Object(
    {
      type: Type.Union([Type.Literal('function'), Type.Literal('code_interpreter'), Type.Literal('file_search')]),
      function: Type.Optional(Type.Object({ name: Type.String() }, closed)),
    },
    closed,
  ),
]);

export const TruncationStrategy = Type.Object(
  {
    type: Type.Union([Type.Literal('auto'), Type.Literal('last_messages')]),
    last_messages: Type.Optional(nullable(Type.Integer({ minimum: 1 }))),
  },
  closed,
);

/** What creating a run takes, with or without a new thread. */
const RunSettings = {
  assistant_id: Type.String(),
  model: Type.Optional(nullable(Type.String())),
  instructions: Type.Optional(nullable(Type.String())),
  tools: Type.Optional(nullable(Type.Array(AssistantToolsDefinition, { maxItems: 128 }))),
  metadata: Type.Optional(NullableMetadata),
  temperature: Type.Optional(nullable(Type.Number({ minimum: 0, maximum: 2 }))),
  top_p: Type.Optional(nullable(Type.Number({ minimum: 0, maximum: 1 }))),
  stream: Type.Optional(nullable(Type.Boolean())),
  max_prompt_tokens: Type.Optional(nullable(Type.Integer({ minimum: 256 }))),
  max_completion_tokens: Type.Optional(nullable(Type.Integer({ minimum: 256 }))),
  truncation_strategy: Type.Optional(nullable(TruncationStrategy)),
  tool_choice: Type.Optional(nullable(ToolChoice)),
  parallel_tool_calls: Type.Optional(Type.Boolean()),
  response_format: Type.Optional(nullable(AssistantsApiResponseFormatOption)),
  reasoning_effort: Type.Optional(nullable(ReasoningEffort)),
};

export const CreateRunRequest = Type.Object(
  {
    ...RunSettings,
    additional_instructions: Type.Optional(nullable(Type.String())),
    additional_messages: Type.Optional(nullable(Type.Array(CreateMessageRequest, { maxItems: 32 }))),
  },
  { ...closed, title: 'CreateRunRequest' },
);

export const CreateThreadAndRunRequest = Type.Object(
  {
    ...RunSettings,
    thread: Type.Optional(CreateThreadRequest),
    tool_resources: Type.Optional(nullable(CreateThreadRequest.properties.tool_resources.anyOf[0]!)),
  },
  { ...closed, title: 'CreateThreadAndRunRequest' },
);

export const ModifyRunRequest = Type.Object(
  { metadata: Type.Optional(NullableMetadata) },
  { ...closed, title: 'ModifyRunRequest' },
);

export const SubmitToolOutputsRequest = Type.Object(
  {
    tool_outputs: Type.Array(
      Type.Object({ tool_call_id: Type.Optional(Type.String()), output: Type.Optional(Type.String()) }, closed),
    ),
    stream: Type.Optional(nullable(Type.Boolean())),
  },
  { ...closed, title: 'SubmitToolOutputsRunRequest' },
);

const RunStatus = Type.Union([
  Type.Literal('queued'),
  Type.Literal('in_progress'),
  Type.Literal('requires_action'),
  Type.Literal('cancelling'),
  Type.Literal('cancelled'),
  Type.Literal('failed'),
  Type.Literal('completed'),
  Type.Literal('incomplete'),
  Type.Literal('expired'),
]);

export const Usage = Type.Object({
  prompt_tokens: Type.Integer(),
  completion_tokens: Type.Integer(),
  total_tokens: Type.Integer(),
});

export const ToolCall = Type.Object({
  id: Type.String(),
  type: Type.Literal('function'),
  function: Type.Object({ name: Type.String(), arguments: Type.String() }),
});

/** A tool choice goes out as stored: it was validated on the way in. */
const AsGiven = Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true });

export const RunObject = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('thread.run'),
    created_at: Type.Integer(),
    thread_id: Type.String(),
    assistant_id: Type.String(),
    status: RunStatus,
    required_action: nullable(
      Type.Object({
        type: Type.Literal('submit_tool_outputs'),
        submit_tool_outputs: Type.Object({ tool_calls: Type.Array(ToolCall) }),
      }),
    ),
    last_error: nullable(
      Type.Object({
        code: Type.Union([
          Type.Literal('server_error'),
          Type.Literal('rate_limit_exceeded'),
          Type.Literal('invalid_prompt'),
        ]),
        message: Type.String(),
      }),
    ),
    expires_at: nullable(Type.Integer()),
    started_at: nullable(Type.Integer()),
    cancelled_at: nullable(Type.Integer()),
    failed_at: nullable(Type.Integer()),
    completed_at: nullable(Type.Integer()),
    incomplete_details: nullable(
      Type.Object({ reason: Type.Union([Type.Literal('max_completion_tokens'), Type.Literal('max_prompt_tokens')]) }),
    ),
    model: Type.String(),
    instructions: Type.String(),
    tools: Type.Array(AssistantToolsDefinition),
    metadata: Metadata,
    usage: nullable(Usage),
    temperature: nullable(Type.Number()),
    top_p: nullable(Type.Number()),
    max_prompt_tokens: nullable(Type.Integer()),
    max_completion_tokens: nullable(Type.Integer()),
    truncation_strategy: Type.Object({ type: Type.String(), last_messages: nullable(Type.Integer()) }),
    tool_choice: Type.Union([Type.String(), AsGiven]),
    parallel_tool_calls: Type.Boolean(),
    response_format: AssistantsApiResponseFormatOption,
    reasoning_effort: Type.Optional(nullable(ReasoningEffort)),
  },
  { title: 'RunObject' },
);

export const ListRunsResponse = ListResponse(RunObject, 'ListRunsResponse');

export const RunParams = Type.Object({ thread_id: ThreadIdParam('thread'), run_id: IdParam('run') });

export const ListRunsQuery = Type.Object(PageQueryFields);

export type ToolChoice = Static<typeof ToolChoice>;
export type CreateRunRequest = Static<typeof CreateRunRequest>;
export type CreateThreadAndRunRequest = Static<typeof CreateThreadAndRunRequest>;
export type SubmitToolOutputsRequest = Static<typeof SubmitToolOutputsRequest>;
export type RunObject = Static<typeof RunObject>;
export type RunStatus = RunObject['status'];
export type RunUsage = Static<typeof Usage>;
export type RunToolCall = Static<typeof ToolCall>;
