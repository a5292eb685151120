import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  cannotCancelRun,
  runNotFound,
  threadNotFound,
  toolOutputsMismatch,
  toolOutputsNotAccepted,
  upstreamNotConfigured,
} from '../../errors.js';
import { IdempotencyHeaders, idempotencyOf } from '../../http/idempotency.js';
import type { IdempotencyKey } from '../../store/types.js';
import { cancelling, POLL_AFTER_MS } from '../../runs/lifecycle.js';
import { submitToolOutputs } from '../../runs/tool-outputs.js';
import { RunOrEventStream } from '../../schemas/run-stream-events.js';
import { ThreadParams } from '../../schemas/threads.js';
import {
  CreateRunRequest,
  CreateThreadAndRunRequest,
  ListRunsQuery,
  ListRunsResponse,
  ModifyRunRequest,
  RunObject,
  RunParams,
  SubmitToolOutputsRequest,
} from '../../schemas/runs.js';
import { fromCreateMessage } from '../../views/thread-view.js';
import { toListResponse } from '../list-response.js';
import { createPlanned, launchRun, planRun } from './run-start.js';
import { streamRunEvents } from './run-stream.js';

/**
 * The key create-thread-and-run records its thread under: the client's key with a line feed, which no
 * header value holds, so it cannot meet a key a client sends.
 */
const threadKeyOf = ({ key, fingerprint }: IdempotencyKey): IdempotencyKey => ({ key: `${key}\nthread`, fingerprint });

export const runRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/threads/:thread_id/runs',
    {
      schema: {
        operationId: 'createRun',
        params: ThreadParams,
        headers: IdempotencyHeaders,
        body: CreateRunRequest,
        response: { 200: RunOrEventStream },
      },
    },
    async (request, reply) => {
      const { thread_id } = request.params;
      const { additional_messages, ...body } = request.body;
      const messages = (additional_messages ?? []).map(fromCreateMessage);
      const key = idempotencyOf(request);
      // A keyed create may be a replay, which asks the model nothing: its first turn waits for the write.
      const sendEarly = messages.length === 0 && key === undefined;
      const planned = await planRun(app, request.tenant, body, thread_id, sendEarly).catch(async (error: unknown) => {
        // The thread is the outer resource: its 404 answers before any refusal of the run's own.
        if (app.runner.scheduler && !(await app.store.threads.get(request.tenant, thread_id)))
          throw threadNotFound(thread_id);
        throw error;
      });
      const created = await createPlanned(app, request.tenant, thread_id, planned, messages, key);
      if (!created) throw threadNotFound(thread_id);
      // A replay: the run as first created, as JSON even for a stream.
      if (created.run.id !== planned.run.id) return created.run;
      return launchRun(app, reply, request.tenant, created, body.stream === true);
    },
  );

  app.post(
    '/threads/runs',
    {
      schema: {
        operationId: 'createThreadAndRun',
        headers: IdempotencyHeaders,
        body: CreateThreadAndRunRequest,
        response: { 200: RunOrEventStream },
      },
    },
    async (request, reply) => {
      const { thread: given = {}, tool_resources, ...body } = request.body;
      if (!app.runner.scheduler) throw upstreamNotConfigured();
      // Planned against a placeholder thread id first: nothing is written when the run would be refused.
      await planRun(app, request.tenant, body, '');
      const key = idempotencyOf(request);
      const newThread = {
        metadata: given.metadata ?? {},
        tool_resources: tool_resources ?? given.tool_resources ?? {},
        items: (given.messages ?? []).map(fromCreateMessage),
      };
      // Two writes under one key: the thread's record answers a retry with the same thread, the run's with the run.
      const thread = await app.store.threads.create(request.tenant, newThread, key && threadKeyOf(key));
      const planned = await planRun(app, request.tenant, body, thread.id, key === undefined);
      const created = await createPlanned(app, request.tenant, thread.id, planned, [], key);
      if (!created) throw threadNotFound(thread.id);
      if (created.run.id !== planned.run.id) return created.run;
      return launchRun(app, reply, request.tenant, created, body.stream === true, [{ type: 'thread.created', thread }]);
    },
  );

  app.get(
    '/threads/:thread_id/runs',
    {
      schema: {
        operationId: 'listRuns',
        params: ThreadParams,
        querystring: ListRunsQuery,
        response: { 200: ListRunsResponse },
      },
    },
    async (request) => {
      const { thread_id } = request.params;
      const { limit = 20, order = 'desc', after, before } = request.query;
      const page = await app.store.runs.list(request.tenant, thread_id, { limit, order, after, before });
      if (!page) throw threadNotFound(thread_id);
      return toListResponse(page);
    },
  );

  /** The 404 for a run that was not found: its thread's when the thread is the one missing. */
  async function notFound(tenant: string, threadId: string, runId: string) {
    return (await app.store.threads.get(tenant, threadId)) ? runNotFound(runId) : threadNotFound(threadId);
  }

  app.get(
    '/threads/:thread_id/runs/:run_id',
    { schema: { operationId: 'getRun', params: RunParams, response: { 200: RunObject } } },
    async (request, reply) => {
      const { thread_id, run_id } = request.params;
      const run = await app.store.runs.get(request.tenant, thread_id, run_id);
      if (!run) throw await notFound(request.tenant, thread_id, run_id);
      // The SDKs' poll helpers wait this long before the next poll (an integer: Python parses it with int()).
      reply.header('openai-poll-after-ms', String(POLL_AFTER_MS));
      return run;
    },
  );

  app.post(
    '/threads/:thread_id/runs/:run_id',
    {
      schema: {
        operationId: 'modifyRun',
        params: RunParams,
        body: ModifyRunRequest,
        response: { 200: RunObject },
      },
    },
    async (request) => {
      const { thread_id, run_id } = request.params;
      const { metadata } = request.body;
      const run =
        metadata === undefined
          ? await app.store.runs.get(request.tenant, thread_id, run_id)
          : (await app.store.runs.update(request.tenant, thread_id, run_id, { set: { metadata: metadata ?? {} } }))
              ?.run;
      if (!run) throw await notFound(request.tenant, thread_id, run_id);
      return run;
    },
  );

  app.post(
    '/threads/:thread_id/runs/:run_id/cancel',
    { schema: { operationId: 'cancelRun', params: RunParams, response: { 200: RunObject } } },
    async (request) => {
      const { thread_id, run_id } = request.params;
      const ref = { tenant: request.tenant, threadId: thread_id, runId: run_id };
      const update = await app.store.runs.update(ref.tenant, thread_id, run_id, cancelling());
      if (!update) throw await notFound(request.tenant, thread_id, run_id);
      if (!update.applied) {
        if (update.run.status === 'cancelling') return update.run;
        throw cannotCancelRun(update.run.status);
      }
      app.runner.bus.emit(run_id, { type: 'run.status', run: update.run });
      // The turn in flight is stopped and the run settles to `cancelled` in the background.
      void app.runner.scheduler?.cancel(ref);
      return update.run;
    },
  );

  app.post(
    '/threads/:thread_id/runs/:run_id/submit_tool_outputs',
    {
      schema: {
        operationId: 'submitToolOuputsToRun',
        params: RunParams,
        body: SubmitToolOutputsRequest,
        response: { 200: RunOrEventStream },
      },
    },
    async (request, reply) => {
      const { thread_id, run_id } = request.params;
      const ref = { tenant: request.tenant, threadId: thread_id, runId: run_id };
      const scheduler = app.runner.scheduler;
      if (!scheduler) throw upstreamNotConfigured();
      const run = await app.store.runs.get(ref.tenant, thread_id, run_id);
      if (!run) throw await notFound(request.tenant, thread_id, run_id);
      // Listening before the outputs go in: the stream starts with the tool-calls step completing.
      let streaming: Promise<void> | undefined;
      const listen = () => {
        streaming = streamRunEvents(reply, app.runner.bus, run_id);
      };
      const outcome = await submitToolOutputs(
        app.store,
        app.runner.bus,
        ref,
        request.body.tool_outputs,
        request.body.stream ? listen : undefined,
      );
      if (!outcome) throw await notFound(request.tenant, thread_id, run_id);
      if ('refused' in outcome) {
        const refusal = outcome.refused;
        throw refusal.kind === 'status'
          ? toolOutputsNotAccepted(refusal.status)
          : toolOutputsMismatch(refusal.missing, refusal.unknown);
      }
      scheduler.start(ref);
      if (streaming) return streaming.then(() => reply);
      return outcome.run;
    },
  );
};
