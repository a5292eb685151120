import { nestedTooDeeply } from '../errors.js';
import type { CreateAssistantRequest, ModifyAssistantRequest } from '../schemas/assistants.js';
import { MAX_ITEM_DEPTH, nestsDeeperThan } from '../schemas/conversation-items.js';
import type { AssistantChanges, NewAssistant } from '../store/types.js';

/*
 * Request bodies of the assistants routes as the store's settings. A setting sent as `null` takes its
 * default, as one never sent does: the object always shows what a run will use.
 */

const DEFAULTS: Omit<NewAssistant, 'model'> = {
  name: null,
  description: null,
  instructions: null,
  tools: [],
  tool_resources: {},
  metadata: {},
  temperature: 1,
  top_p: 1,
  response_format: 'auto',
  reasoning_effort: null,
};

type Settings = Omit<ModifyAssistantRequest, 'model'>;

/** The JSON schemas a body carries (function parameters, a response format's schema), by param path. */
function* schemasOf(body: Settings): Iterable<[string, unknown]> {
  for (const [index, tool] of (body.tools ?? []).entries()) {
    if (tool.type === 'function') yield [`tools[${index}].function.parameters`, tool.function.parameters];
  }
  const format = body.response_format;
  if (typeof format === 'object' && format?.type === 'json_schema')
    yield ['response_format.json_schema.schema', format.json_schema.schema];
}

/** Throws when a JSON schema the body carries nests deeper than any stored item may (as for items). */
function checkDepth(body: Settings): void {
  for (const [path, schema] of schemasOf(body)) {
    if (nestsDeeperThan(schema, MAX_ITEM_DEPTH)) throw nestedTooDeeply(path, MAX_ITEM_DEPTH);
  }
}

/** The given settings, `null` replaced by each one's default. */
function given(body: Settings): AssistantChanges {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined) changes[key] = value ?? DEFAULTS[key as keyof typeof DEFAULTS];
  }
  return changes as AssistantChanges;
}

export function fromCreateAssistant({ model, ...body }: CreateAssistantRequest): NewAssistant {
  checkDepth(body);
  return { model, ...DEFAULTS, ...given(body) };
}

export function fromModifyAssistant(body: ModifyAssistantRequest): AssistantChanges {
  checkDepth(body);
  return given(body);
}
