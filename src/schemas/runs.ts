import { Type, type Static } from 'typebox';
import { IdParam, ListResponse, Metadata, NullableMetadata, PageQueryFields, ThreadIdParam } from './common.js';
import { CreateMessageRequest } from './messages.js';
import { CreateThreadRequest } from './threads.js';

const closed = { additionalProperties: false } as const;
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** Any JSON object, passed through as given (a function's `parameters`, a JSON schema). */
const AnyObject = Type.Object({}, { additionalProperties: true });

export const FunctionDefinition = Type.Object(
  {
    name: Type.String({ pattern: '^[a-zA-Z0-9_-]{1,64}$' }),
    description: Type.Optional(Type.String()),
    parameters: Type.Optional(AnyObject),
    strict: Type.Optional(nullable(Type.Boolean())),
  },
  closed,
);

/** A run's tools: the assistant's kinds. Only `function` runs on a Chat Completions upstream (docs/pending/runs.md). */
export const RunTool = Type.Union([
  Type.Object({ type: Type.Literal('code_interpreter') }, closed),
  Type.Object(
    {
      type: Type.Literal('file_search'),
      file_search: Type.Optional(
        Type.Object(
          {
            max_num_results: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
            ranking_options: Type.Optional(
              Type.Object(
                {
                  ranker: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('default_2024_08_21')])),
                  score_threshold: Type.Number({ minimum: 0, maximum: 1 }),
                },
                closed,
              ),
            ),
          },
          closed,
        ),
      ),
    },
    closed,
  ),
  Type.Object({ type: Type.Literal('function'), function: FunctionDefinition }, closed),
]);

const ResponseFormatObject = Type.Union(
  [
    Type.Object({ type: Type.Literal('text') }, closed),
    Type.Object({ type: Type.Literal('json_object') }, closed),
    Type.Object(
      {
        type: Type.Literal('json_schema'),
        json_schema: Type.Object(
          {
            name: Type.String({ pattern: '^[a-zA-Z0-9_-]{1,64}$' }),
            description: Type.Optional(Type.String()),
            schema: Type.Optional(AnyObject),
            strict: Type.Optional(nullable(Type.Boolean())),
          },
          closed,
        ),
      },
      closed,
    ),
  ],
  // Read by the validator as "the object branch" of the union below.
  { type: 'object' },
);

export const ResponseFormat = Type.Union([Type.Literal('auto'), ResponseFormatObject]);

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
  tools: Type.Optional(nullable(Type.Array(RunTool, { maxItems: 128 }))),
  metadata: Type.Optional(NullableMetadata),
  temperature: Type.Optional(nullable(Type.Number({ minimum: 0, maximum: 2 }))),
  top_p: Type.Optional(nullable(Type.Number({ minimum: 0, maximum: 1 }))),
  stream: Type.Optional(nullable(Type.Boolean())),
  max_prompt_tokens: Type.Optional(nullable(Type.Integer({ minimum: 256 }))),
  max_completion_tokens: Type.Optional(nullable(Type.Integer({ minimum: 256 }))),
  truncation_strategy: Type.Optional(nullable(TruncationStrategy)),
  tool_choice: Type.Optional(nullable(ToolChoice)),
  parallel_tool_calls: Type.Optional(Type.Boolean()),
  response_format: Type.Optional(nullable(ResponseFormat)),
  reasoning_effort: Type.Optional(
    nullable(Type.Union(['minimal', 'low', 'medium', 'high'].map((effort) => Type.Literal(effort)))),
  ),
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

/** Tools, response formats and tool choices go out as stored: they were validated on the way in. */
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
    tools: Type.Array(AsGiven),
    metadata: Metadata,
    usage: nullable(Usage),
    temperature: nullable(Type.Number()),
    top_p: nullable(Type.Number()),
    max_prompt_tokens: nullable(Type.Integer()),
    max_completion_tokens: nullable(Type.Integer()),
    truncation_strategy: Type.Object({ type: Type.String(), last_messages: nullable(Type.Integer()) }),
    tool_choice: Type.Union([Type.String(), AsGiven]),
    parallel_tool_calls: Type.Boolean(),
    response_format: Type.Union([Type.String(), AsGiven]),
    reasoning_effort: Type.Optional(nullable(Type.String())),
  },
  { title: 'RunObject' },
);

export const ListRunsResponse = ListResponse(RunObject, 'ListRunsResponse');

export const RunParams = Type.Object({ thread_id: ThreadIdParam('thread'), run_id: IdParam('run') });

export const ListRunsQuery = Type.Object(PageQueryFields);

export type RunTool = Static<typeof RunTool>;
export type ResponseFormat = Static<typeof ResponseFormat>;
export type ToolChoice = Static<typeof ToolChoice>;
export type CreateRunRequest = Static<typeof CreateRunRequest>;
export type CreateThreadAndRunRequest = Static<typeof CreateThreadAndRunRequest>;
export type SubmitToolOutputsRequest = Static<typeof SubmitToolOutputsRequest>;
export type RunObject = Static<typeof RunObject>;
export type RunStatus = RunObject['status'];
export type RunUsage = Static<typeof Usage>;
export type RunToolCall = Static<typeof ToolCall>;
