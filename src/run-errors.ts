import { ApiError } from './errors.js';
import { MessagesLockedByRun, type StoreError, ThreadRunActive, UnknownListCursor } from './store/store-errors.js';

/** The Runs API's errors, worded as OpenAI's (RUNS.md) or, where no record exists, as docs/pending/runs.md decides. */

export const runNotFound = (id: string) => new ApiError(404, `No run found with id '${id}'.`);

export const runStepNotFound = (id: string) => new ApiError(404, `No run step found with id '${id}'.`);

/** Apps match on these texts: keep them exact. */
export const threadHasActiveRun = (threadId: string, runId: string) =>
  new ApiError(400, `Thread ${threadId} already has an active run ${runId}.`);

export const messagesLockedByRun = (threadId: string, runId: string) =>
  new ApiError(400, `Can't add messages to thread ${threadId} while a run ${runId} is active.`);

export const toolOutputsNotAccepted = (status: string) =>
  new ApiError(400, `Runs in status "${status}" do not accept tool outputs.`);

export const cannotCancelRun = (status: string) => new ApiError(400, `Cannot cancel run with status '${status}'.`);

export const toolOutputsMismatch = (missing: string[], unknown: string[]) =>
  new ApiError(
    400,
    unknown.length > 0
      ? `No tool call with id '${unknown[0]}' awaits an output in this run.`
      : `Expected tool outputs for call_ids ${JSON.stringify(missing)}, but none were given for them.`,
    'tool_outputs',
    'invalid_value',
  );

export const unsupportedTool = (type: string, param: 'tools' | 'tool_choice' = 'tools') =>
  new ApiError(
    400,
    `The '${type}' tool cannot run on this server: runs execute on a Chat Completions upstream, which offers function tools only. Remove it from the run's or the assistant's tools.`,
    param,
    'unsupported_value',
  );

export const upstreamNotConfigured = () =>
  new ApiError(
    503,
    'Runs are not available: no model upstream is configured. Set UPSTREAM_BASE_URL (and UPSTREAM_API_KEY) to an OpenAI-compatible Chat Completions server and restart.',
    null,
    'upstream_not_configured',
    'server_error',
    { 'x-should-retry': 'false' },
  );

/** A store failure worded for the API. */
export function answerStoreError(error: StoreError): ApiError {
  if (error instanceof ThreadRunActive) return threadHasActiveRun(error.threadId, error.runId);
  if (error instanceof MessagesLockedByRun) return messagesLockedByRun(error.threadId, error.runId);
  if (error instanceof UnknownListCursor) {
    return new ApiError(
      400,
      `Invalid '${error.param}': no ${error.kind === 'run' ? 'run' : 'run step'} with id '${error.id}' in this ${error.kind === 'run' ? 'thread' : 'run'}.`,
      error.param,
      'invalid_value',
    );
  }
  return new ApiError(
    500,
    'The server had an error while processing your request. Sorry about that!',
    null,
    null,
    'server_error',
  );
}
