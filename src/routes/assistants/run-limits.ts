import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors.js';

/** How long a client told to wait for a run slot waits: runs take seconds to minutes, so a few seconds. */
const RETRY_AFTER_SECONDS = 5;

const tooManyRuns = (what: string, limit: number) =>
  new ApiError(
    429,
    `Rate limit reached for active runs ${what}: limit ${limit}. Please try again in ${RETRY_AFTER_SECONDS}s.`,
    null,
    'rate_limit_exceeded',
    'requests',
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );

/**
 * Refuses a new run past RUNS_PER_REPLICA runs executing in this replica, or RUNS_PER_TENANT unfinished
 * runs of the tenant (across replicas): 429 `rate_limit_exceeded` with a Retry-After, which the SDKs retry;
 * its type `requests`, as the request rate limit's and the hosted API's.
 */
export async function checkRunLimits(app: FastifyInstance, tenant: string): Promise<void> {
  const { scheduler, limits } = app.runner;
  if (scheduler && scheduler.executing >= limits.perReplica) throw tooManyRuns('on this server', limits.perReplica);
  if ((await app.store.runs.queue.activeOf(tenant)) >= limits.perTenant)
    throw tooManyRuns('per organization', limits.perTenant);
}
