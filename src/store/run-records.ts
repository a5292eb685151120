// The store's own types for assistants, runs and run steps: the shape of the JSON it keeps. The TypeBox
// schemas of the API describe the same objects on the wire; the store imports none of them, and TypeScript
// checks that both agree where the routes and the runner hand one to the other.
import type { Metadata, ToolResources } from './records.js';

export type Tool =
  | { type: 'code_interpreter' }
  | {
      type: 'file_search';
      file_search?: {
        max_num_results?: number;
        ranking_options?: { ranker?: 'auto' | 'default_2024_08_21'; score_threshold: number };
      };
    }
  | {
      type: 'function';
      function: { name: string; description?: string; parameters?: JsonSchema; strict?: boolean | null };
    };

/** A JSON Schema as written: the model reads it, the store only keeps it. */
export type JsonSchema = object;

export type ResponseFormat =
  | 'auto'
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; description?: string; schema?: JsonSchema; strict?: boolean | null };
    };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

/** An assistant as the store keeps it, defaults applied, in the hosted API's key order. */
export interface AssistantRecord {
  id: string;
  object: 'assistant';
  created_at: number;
  name: string | null;
  description: string | null;
  model: string;
  instructions: string | null;
  tools: Tool[];
  tool_resources: ToolResources;
  metadata: Metadata;
  temperature: number;
  top_p: number;
  response_format: ResponseFormat;
  reasoning_effort: ReasoningEffort | null;
}

export type RunStatus =
  | 'queued'
  | 'in_progress'
  | 'requires_action'
  | 'cancelling'
  | 'cancelled'
  | 'failed'
  | 'completed'
  | 'incomplete'
  | 'expired';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A run as the store keeps it: its whole state, so any process can read where it stands. */
export interface RunRecord {
  id: string;
  object: 'thread.run';
  created_at: number;
  thread_id: string;
  assistant_id: string;
  status: RunStatus;
  required_action: { type: 'submit_tool_outputs'; submit_tool_outputs: { tool_calls: ToolCall[] } } | null;
  last_error: { code: 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt'; message: string } | null;
  expires_at: number | null;
  started_at: number | null;
  cancelled_at: number | null;
  failed_at: number | null;
  completed_at: number | null;
  incomplete_details: { reason: 'max_completion_tokens' | 'max_prompt_tokens' } | null;
  model: string;
  instructions: string;
  tools: Tool[];
  metadata: Metadata;
  usage: Usage | null;
  temperature: number | null;
  top_p: number | null;
  max_prompt_tokens: number | null;
  max_completion_tokens: number | null;
  truncation_strategy: { type: string; last_messages: number | null };
  /** As it was given: validated on the way in. */
  tool_choice: string | Record<string, unknown>;
  parallel_tool_calls: boolean;
  response_format: ResponseFormat;
  reasoning_effort?: ReasoningEffort | null;
}

export interface StepToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string; output: string | null };
}

export type StepType = 'message_creation' | 'tool_calls';

export type StepStatus = 'in_progress' | 'cancelled' | 'failed' | 'completed' | 'expired';

/** A step of a run as the store keeps it. */
export interface RunStepRecord {
  id: string;
  object: 'thread.run.step';
  created_at: number;
  assistant_id: string;
  thread_id: string;
  run_id: string;
  type: StepType;
  status: StepStatus;
  /** One shape with optional members, as content parts are. */
  step_details: { type: StepType; message_creation?: { message_id: string }; tool_calls?: StepToolCall[] };
  last_error: { code: 'server_error' | 'rate_limit_exceeded'; message: string } | null;
  expired_at: number | null;
  cancelled_at: number | null;
  failed_at: number | null;
  completed_at: number | null;
  metadata: Metadata;
  usage: Usage | null;
}
