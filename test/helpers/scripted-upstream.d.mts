import type { IncomingHttpHeaders } from 'node:http';
import type { ChatCompletionRequest } from '../../src/upstream/chat-types.js';

type Usage = { prompt_tokens: number; completion_tokens: number };

/** One answer of the scripted upstream, in the order requests arrive. */
export type ScriptedTurn =
  | {
      /** Content fragments, one chunk each. */
      text: string[];
      finish?: 'stop' | 'length' | 'content_filter';
      /** Default: prompt_tokens = the request's message count, completion_tokens = the chunks after the role chunk. */
      usage?: Usage;
      chunkDelayMs?: number;
      /** After this many text chunks the connection is reset: a failure once text has started. */
      faultAfter?: number;
      /** The text waits for this after the role chunk has gone: the model still working on its first token. */
      holdAfterRole?: Promise<unknown>;
    }
  | {
      /** Each call's arguments in fragments; `id` defaults to `call_<n>`. */
      toolCalls: { name: string; arguments: string[]; id?: string }[];
      usage?: Usage;
      chunkDelayMs?: number;
      /** As some servers do: `id`, `type` and `function.name` on every fragment, not only the first. */
      repeatIdAndName?: boolean;
      /** As some servers do: no `index` on the fragments (calls come one after the other). */
      omitIndex?: boolean;
      /** As some servers do: no `id` at all. */
      omitId?: boolean;
      /** As Ollama does: the first arguments fragment rides in the chunk that names the call. */
      argumentsWithName?: boolean;
      /** As vLLM does: the role chunk carries empty text (`''`), as a text turn's does, rather than null. */
      roleContent?: '';
    }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | {
      /**
       * hang-before-headers: reads the request, never answers; hang-mid-stream: the head and a first chunk,
       * then nothing; drop-mid-chunk: the head, a first chunk, half a chunk, then the connection is reset;
       * malformed-chunk: the head, a first chunk, then a `data:` line that is not JSON.
       */
      fault: 'hang-before-headers' | 'hang-mid-stream' | 'drop-mid-chunk' | 'malformed-chunk';
    };

export interface SeenRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: ChatCompletionRequest;
  /** When the whole request had arrived (`Date.now()`). */
  at: number;
  /** Once the exchange is over: the whole answer sent, or the connection closed before it was. */
  ended?: 'answered' | 'cut off';
}

export interface ScriptedUpstream {
  /** The base URL, ending in `/v1`. */
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

type Script = ScriptedTurn[] | ((request: SeenRequest, index: number) => ScriptedTurn);

/**
 * A real Chat Completions server on 127.0.0.1, port 0, answering `POST /v1/chat/completions` from a script:
 * streamed chunk by chunk as OpenAI streams them (role chunk, fragments, finish chunk, usage chunk with empty
 * choices when `stream_options.include_usage`, `data: [DONE]`), or one JSON completion when `stream` is not true.
 */
export function startScriptedUpstream(script: Script): Promise<ScriptedUpstream>;
