import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, assistantNotFound, missingParameter, unsupportedTool, upstreamNotConfigured } from '../../errors.js';
import type { RunEvent } from '../../runs/run-bus.js';
import { nextSlice } from '../../runs/time-slices.js';
import type { CreateRunRequest, CreateThreadAndRunRequest, RunObject } from '../../schemas/runs.js';
import { startedRun } from '../../store/engine/run-row.js';
import type { CreatedRun } from '../../store/run-types.js';
import { newRun } from '../../views/run-view.js';
import { checkRunLimits } from './run-limits.js';
import { streamRunEvents } from './run-stream.js';

type RunBody = Omit<CreateRunRequest, 'additional_messages'> | CreateThreadAndRunRequest;

/** Tools that need the hosted platform: a run refuses them rather than pretend (docs/runs.md#requests-and-state). */
const HOSTED_ONLY = new Set(['code_interpreter', 'file_search']);

/**
 * Everything a run create checks before it writes (validation aside): an upstream to run on, the
 * assistant, tools that can run here, a tool choice that names a function. The new run, not yet stored.
 */
export async function planRun(
  app: FastifyInstance,
  tenant: string,
  body: RunBody,
  threadId: string,
): Promise<RunObject> {
  if (!app.runner.scheduler) throw upstreamNotConfigured();
  // Many creates at once (each is followed by opening its stream and starting its run): a slice at a time.
  await nextSlice();
  const choice = body.tool_choice;
  if (typeof choice === 'object' && choice !== null) {
    if (HOSTED_ONLY.has(choice.type)) throw unsupportedTool(choice.type, 'tool_choice');
    if (!choice.function) throw missingParameter('tool_choice.function');
  }
  // Read side by side (two round trips at once on PostgreSQL); a missing assistant answers before a limit.
  const [found, limits] = await Promise.allSettled([
    app.store.assistants.get(tenant, body.assistant_id),
    checkRunLimits(app, tenant),
  ]);
  if (found.status === 'rejected') throw found.reason;
  const assistant = found.value;
  if (!assistant) throw assistantNotFound(body.assistant_id);
  if (limits.status === 'rejected') throw limits.reason;
  const run = newRun(body, assistant, threadId, Math.floor(Date.now() / 1000), app.runner.expirySeconds);
  const hosted = run.tools.find((tool) => HOSTED_ONLY.has(String(tool.type)));
  if (hosted) throw unsupportedTool(String(hosted.type));
  if (typeof choice === 'object' && choice?.function) {
    const name = choice.function.name;
    const named = run.tools.some(
      (tool) => tool.type === 'function' && (tool.function as { name?: string }).name === name,
    );
    if (!named)
      throw new ApiError(
        400,
        `Invalid 'tool_choice': no function named '${name}' among the run's tools.`,
        'tool_choice.function.name',
        'invalid_value',
      );
  }
  return run;
}

/**
 * Starts a run just created under the scheduler's `newLease()` (stored already started: `startedRun`) and
 * answers: the run as created (queued), or with `stream` its events from the first (`opening`, e.g.
 * `thread.created`, then `thread.run.created`, `thread.run.queued`, `thread.run.in_progress`) on.
 */
export async function launchRun(
  app: FastifyInstance,
  reply: FastifyReply,
  tenant: string,
  { run, prompt }: CreatedRun,
  stream: boolean,
  opening: RunEvent[] = [],
) {
  const { bus, scheduler } = app.runner;
  const streaming = stream ? streamRunEvents(reply, bus, run.id) : undefined;
  const started = startedRun(run);
  const events: RunEvent[] = [
    ...opening,
    { type: 'run.created', run },
    { type: 'run.status', run },
    { type: 'run.status', run: started },
  ];
  for (const event of events) bus.emit(run.id, event);
  scheduler!.startCreated({ tenant, threadId: run.thread_id, runId: run.id }, { run: started, prompt });
  if (streaming) return streaming.then(() => reply);
  return run;
}
