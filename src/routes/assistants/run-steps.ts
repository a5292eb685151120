import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { runNotFound, runStepNotFound, threadNotFound } from '../../errors.js';
import { ListRunStepsQuery, ListRunStepsResponse, RunStepObject, RunStepParams } from '../../schemas/run-steps.js';
import { RunParams } from '../../schemas/runs.js';
import { toListResponse } from '../list-response.js';

export const runStepRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** The 404 for what was not found, from the outside in: thread, run, step. */
  async function notFound(tenant: string, threadId: string, runId: string, stepId?: string) {
    if (!(await app.store.threads.get(tenant, threadId))) return threadNotFound(threadId);
    if (stepId === undefined || !(await app.store.runs.get(tenant, threadId, runId))) return runNotFound(runId);
    return runStepNotFound(stepId);
  }

  app.get(
    '/threads/:thread_id/runs/:run_id/steps',
    {
      schema: {
        operationId: 'listRunSteps',
        params: RunParams,
        querystring: ListRunStepsQuery,
        response: { 200: ListRunStepsResponse },
      },
    },
    async (request) => {
      const { thread_id, run_id } = request.params;
      const { limit = 20, order = 'desc', after, before } = request.query;
      const page = await app.store.runs.steps.list(request.tenant, thread_id, run_id, { limit, order, after, before });
      if (!page) throw await notFound(request.tenant, thread_id, run_id);
      return toListResponse(page);
    },
  );

  app.get(
    '/threads/:thread_id/runs/:run_id/steps/:step_id',
    { schema: { operationId: 'getRunStep', params: RunStepParams, response: { 200: RunStepObject } } },
    async (request) => {
      const { thread_id, run_id, step_id } = request.params;
      const step = await app.store.runs.steps.get(request.tenant, thread_id, run_id, step_id);
      if (!step) throw await notFound(request.tenant, thread_id, run_id, step_id);
      return step;
    },
  );
};
