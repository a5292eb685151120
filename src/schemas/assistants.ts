import { Type, type Static, type TSchema } from 'typebox';
import { IdParam, ListResponse, Metadata, NullableMetadata, PageQueryFields } from './common.js';
import { ToolResources } from './threads.js';

/*
 * The Assistants resource of OpenAI's Assistants v2 API, as its spec (openai/openai-openapi f85dbe2)
 * defines it. Component names are OpenAI's, so the generated document names them the same.
 */

const closed = { additionalProperties: false } as const;
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A JSON Schema object, as written: the model reads it, we only store it. */
const JsonSchemaObject = Type.Object({}, { additionalProperties: true });

export const AssistantToolsCode = Type.Object(
  { type: Type.Literal('code_interpreter') },
  { ...closed, title: 'AssistantToolsCode' },
);

export const FileSearchRankingOptions = Type.Object(
  {
    ranker: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('default_2024_08_21')])),
    score_threshold: Type.Number({ minimum: 0, maximum: 1 }),
  },
  { ...closed, title: 'FileSearchRankingOptions' },
);

export const AssistantToolsFileSearch = Type.Object(
  {
    type: Type.Literal('file_search'),
    file_search: Type.Optional(
      Type.Object(
        {
          max_num_results: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
          ranking_options: Type.Optional(FileSearchRankingOptions),
        },
        closed,
      ),
    ),
  },
  { ...closed, title: 'AssistantToolsFileSearch' },
);

export const FunctionObject = Type.Object(
  {
    // The spec's prose ("a-z, A-Z, 0-9, underscores and dashes, at most 64"): what upstreams enforce.
    name: Type.String({ maxLength: 64, pattern: '^[a-zA-Z0-9_-]+$' }),
    description: Type.Optional(Type.String()),
    parameters: Type.Optional(JsonSchemaObject),
    strict: Type.Optional(nullable(Type.Boolean())),
  },
  { ...closed, title: 'FunctionObject' },
);

export const AssistantToolsFunction = Type.Object(
  { type: Type.Literal('function'), function: FunctionObject },
  { ...closed, title: 'AssistantToolsFunction' },
);

/** Any tool an assistant (or, later, a run) may carry. */
export const AssistantToolsDefinition = Type.Union([
  AssistantToolsCode,
  AssistantToolsFileSearch,
  AssistantToolsFunction,
]);

export const ResponseFormatText = Type.Object(
  { type: Type.Literal('text') },
  { ...closed, title: 'ResponseFormatText' },
);

export const ResponseFormatJsonObject = Type.Object(
  { type: Type.Literal('json_object') },
  { ...closed, title: 'ResponseFormatJsonObject' },
);

export const ResponseFormatJsonSchema = Type.Object(
  {
    type: Type.Literal('json_schema'),
    json_schema: Type.Object(
      {
        name: Type.String({ maxLength: 64, pattern: '^[a-zA-Z0-9_-]+$' }),
        description: Type.Optional(Type.String()),
        schema: Type.Optional(JsonSchemaObject),
        strict: Type.Optional(nullable(Type.Boolean())),
      },
      closed,
    ),
  },
  { ...closed, title: 'ResponseFormatJsonSchema' },
);

export const AssistantsApiResponseFormatOption = Type.Union(
  [Type.Literal('auto'), ResponseFormatText, ResponseFormatJsonObject, ResponseFormatJsonSchema],
  { title: 'AssistantsApiResponseFormatOption' },
);

export const ReasoningEffort = Type.Union([
  Type.Literal('none'),
  Type.Literal('minimal'),
  Type.Literal('low'),
  Type.Literal('medium'),
  Type.Literal('high'),
  Type.Literal('xhigh'),
  Type.Literal('max'),
]);

/** The spec bounds every text but the model's name; 256 is far beyond any model id and keeps a row small. */
const Model = Type.String({ minLength: 1, maxLength: 256 });

/** What create and modify share: every setting, each optional on modify. */
const settings = {
  name: nullable(Type.String({ maxLength: 256 })),
  description: nullable(Type.String({ maxLength: 512 })),
  instructions: nullable(Type.String({ maxLength: 256000 })),
  reasoning_effort: nullable(ReasoningEffort),
  tools: Type.Array(AssistantToolsDefinition, { maxItems: 128 }),
  tool_resources: nullable(ToolResources),
  metadata: NullableMetadata,
  temperature: nullable(Type.Number({ minimum: 0, maximum: 2 })),
  top_p: nullable(Type.Number({ minimum: 0, maximum: 1 })),
  response_format: nullable(AssistantsApiResponseFormatOption),
};

const optional = Object.fromEntries(Object.entries(settings).map(([key, schema]) => [key, Type.Optional(schema)])) as {
  [K in keyof typeof settings]: ReturnType<typeof Type.Optional<(typeof settings)[K]>>;
};

export const CreateAssistantRequest = Type.Object(
  { model: Model, ...optional },
  { ...closed, title: 'CreateAssistantRequest' },
);

export const ModifyAssistantRequest = Type.Object(
  { model: Type.Optional(Model), ...optional },
  { ...closed, title: 'ModifyAssistantRequest' },
);

/**
 * Every key is present: `temperature`, `top_p` and `response_format` show their defaults (1, 1, `auto`)
 * when unset, as the hosted API did. `reasoning_effort` is not in OpenAI's AssistantObject but is
 * accepted on create and modify; it is shown (null when unset) so what was stored can be read back.
 */
export const AssistantObject = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal('assistant'),
    created_at: Type.Integer(),
    name: nullable(Type.String()),
    description: nullable(Type.String()),
    model: Type.String(),
    instructions: nullable(Type.String()),
    tools: Type.Array(AssistantToolsDefinition),
    tool_resources: ToolResources,
    metadata: Metadata,
    temperature: Type.Number(),
    top_p: Type.Number(),
    response_format: AssistantsApiResponseFormatOption,
    reasoning_effort: nullable(ReasoningEffort),
  },
  { title: 'AssistantObject' },
);

export const DeleteAssistantResponse = Type.Object(
  { id: Type.String(), object: Type.Literal('assistant.deleted'), deleted: Type.Boolean() },
  { title: 'DeleteAssistantResponse' },
);

export const AssistantParams = Type.Object({ assistant_id: IdParam('asst') });

export const ListAssistantsQuery = Type.Object(PageQueryFields);

export const ListAssistantsResponse = ListResponse(AssistantObject, 'ListAssistantsResponse');

export type AssistantToolsDefinition = Static<typeof AssistantToolsDefinition>;
export type AssistantsApiResponseFormatOption = Static<typeof AssistantsApiResponseFormatOption>;
export type ReasoningEffort = Static<typeof ReasoningEffort>;
export type CreateAssistantRequest = Static<typeof CreateAssistantRequest>;
export type ModifyAssistantRequest = Static<typeof ModifyAssistantRequest>;
export type AssistantObject = Static<typeof AssistantObject>;
