import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, assistantNotFound, missingParameter, unsupportedTool, upstreamNotConfigured } from '../../errors.js';
import { type CreatedHere, EarlyTurn } from '../../runs/early-turn.js';
import { UNFINISHED } from '../../runs/lifecycle.js';
import type { RunEvent } from '../../runs/run-bus.js';
import { nextSlice } from '../../runs/time-slices.js';
import type { CreateRunRequest, CreateThreadAndRunRequest, RunObject } from '../../schemas/runs.js';
import { startedRun } from '../../store/engine/run-row.js';
import type { NewItem } from '../../store/records.js';
import { PROMPT_PAGE } from '../../store/run-types.js';
import type { IdempotencyKey } from '../../store/types.js';
import { newRun } from '../../views/run-view.js';
import { checkRunLimits } from './run-limits.js';
import { streamRunEvents } from './run-stream.js';

type RunBody = Omit<CreateRunRequest, 'additional_messages'> | CreateThreadAndRunRequest;

/** Tools that need the hosted platform: a run refuses them rather than pretend (docs/runs.md#requests-and-state). */
const HOSTED_ONLY = new Set(['code_interpreter', 'file_search']);

/**
 * The thread's messages when a run may start on them at once: no run of the thread unfinished (the newest
 * would be the one) and one page holds them all. Undefined otherwise, or when they cannot be read.
 */
async function readOpenThread(app: FastifyInstance, tenant: string, threadId: string) {
  const { items, runs } = app.store;
  const [page, latest] = await Promise.all([
    items.list(tenant, threadId, { limit: PROMPT_PAGE, order: 'asc', view: 'thread' }),
    runs.list(tenant, threadId, { limit: 1, order: 'desc' }),
  ]).catch(() => []);
  if (!page || page.has_more || !latest) return undefined;
  const newest = latest.data[0];
  return newest && UNFINISHED.includes(newest.status) ? undefined : page.data;
}

/** The run a create will write, and the first turn sent for it already, if one was (`sendEarly`). */
export interface PlannedRun {
  run: RunObject;
  early?: EarlyTurn;
}

/**
 * Everything a run create checks before it writes (validation aside): an upstream to run on, the
 * assistant, tools that can run here, a tool choice that names a function. The new run, not yet stored.
 * With `sendEarly` (a create whose prompt is the thread as it is), the thread is read beside the checks
 * and the run's first turn sent on it at once (EarlyTurn): the caller withdraws it if its create fails.
 */
export async function planRun(
  app: FastifyInstance,
  tenant: string,
  body: RunBody,
  threadId: string,
  sendEarly = false,
): Promise<PlannedRun> {
  if (!app.runner.scheduler) throw upstreamNotConfigured();
  // Many creates at once (each is followed by opening its stream and starting its run): a slice at a time.
  await nextSlice();
  const choice = body.tool_choice;
  if (typeof choice === 'object' && choice !== null) {
    if (HOSTED_ONLY.has(choice.type)) throw unsupportedTool(choice.type, 'tool_choice');
    if (!choice.function) throw missingParameter('tool_choice.function');
  }
  // Read side by side (round trips at once on PostgreSQL); a missing assistant answers before a limit.
  const [found, limits, thread] = await Promise.allSettled([
    app.store.assistants.get(tenant, body.assistant_id),
    checkRunLimits(app, tenant),
    sendEarly ? readOpenThread(app, tenant, threadId) : undefined,
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
  const messages = thread.status === 'fulfilled' ? thread.value : undefined;
  return { run, early: messages && new EarlyTurn(app.upstream!, run, messages) };
}

/**
 * Writes a planned run (`undefined`: no such thread; another run: a replay). Its early turn goes on with the
 * run made here, else it is withdrawn.
 */
export async function createPlanned(
  app: FastifyInstance,
  tenant: string,
  threadId: string,
  { run, early }: PlannedRun,
  messages: NewItem[],
  key: IdempotencyKey | undefined,
): Promise<CreatedHere | undefined> {
  const lease = app.runner.scheduler!.newLease();
  const created = await app.store.runs.create(tenant, threadId, run, messages, lease, key).catch((error: unknown) => {
    early?.withdraw();
    throw error;
  });
  if (created?.run.id === run.id) return { ...created, early };
  early?.withdraw();
  return created;
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
  { run, prompt, early }: CreatedHere,
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
  scheduler!.startCreated({ tenant, threadId: run.thread_id, runId: run.id }, { run: started, prompt, early });
  if (streaming) return streaming.then(() => reply);
  return run;
}
