// TEMPORARY until the `upstream` branch merges: the parts of its chat types and client the runs use.
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content?: string | null | Array<Record<string, unknown>>;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream: true;
  stream_options: { include_usage: true };
  tools?: { type: 'function'; function: Record<string, unknown> }[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  response_format?: unknown;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
}

export interface ChatCompletionChunk {
  choices: {
    index: number;
    delta: {
      content?: string | null;
      tool_calls?: { index?: number; id?: string; type?: string; function?: { name?: string; arguments?: string } }[];
    };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

export interface ChatUpstream {
  stream(body: ChatCompletionRequest, options?: { signal?: AbortSignal }): AsyncIterable<ChatCompletionChunk>;
  model(name: string): string;
}

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly code: 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt',
  ) {
    super(message);
  }
}
