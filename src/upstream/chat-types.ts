/**
 * The part of the Chat Completions protocol threadstore speaks to an upstream (OpenAI, Ollama, vLLM,
 * llama.cpp's server, LiteLLM): our own types, so `src/` does not depend on the `openai` package.
 * Wire names are the protocol's snake_case. Fields a server may add are allowed and ignored.
 */

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ChatFunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}

export type ChatToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ChatResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null };
    };

/** One request; optional fields left out are left to the upstream's defaults (some reject fields they do not know). */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ChatFunctionTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ChatResponseFormat;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  /** Set by the client: always true. */
  stream?: boolean;
  /** Set by the client: `{ include_usage: true }`. */
  stream_options?: { include_usage?: boolean };
}

/** A fragment of one tool call: `index` (and on the first fragment `id`, `type`, `function.name`), then `arguments` pieces. */
export interface ChatToolCallDelta {
  /** Some servers leave it out (one call per chunk, in order). */
  index?: number;
  /** Some servers leave it out, some repeat it on every fragment. */
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatChunkChoice {
  index: number;
  delta: { role?: 'assistant'; content?: string | null; tool_calls?: ChatToolCallDelta[] };
  finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call' | null;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** One `data:` event of a streamed answer; with `include_usage` the last one has empty `choices` and `usage`. */
export interface ChatCompletionChunk {
  id: string;
  object?: 'chat.completion.chunk';
  created?: number;
  model?: string;
  choices: ChatChunkChoice[];
  usage?: ChatUsage | null;
}
