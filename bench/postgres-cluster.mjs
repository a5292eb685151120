// A throwaway PostgreSQL cluster for the benchmark, started as the tests start theirs
// (test/helpers/postgres-processes.mjs). Unlike the tests' cluster it keeps PostgreSQL's durable defaults
// (fsync, synchronous_commit on): the benchmark measures what a deployment pays for an acknowledged write.
import { readFileSync } from 'node:fs';
import { findPostgresBin, startCluster } from '../test/helpers/postgres-processes.mjs';
import { TICKS_PER_SECOND, cpuSeconds } from './processes.mjs';

/** CPU seconds of the postmaster, its live backends, and the backends that have exited. */
function clusterCpuSeconds(postmasterPid) {
  let total = cpuSeconds(postmasterPid) ?? 0;
  try {
    const stat = readFileSync(`/proc/${postmasterPid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND; // cutime + cstime
    const children = readFileSync(`/proc/${postmasterPid}/task/${postmasterPid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    for (const pid of children) total += cpuSeconds(Number(pid)) ?? 0;
  } catch {
    return undefined;
  }
  return total;
}

/**
 * Starts the cluster on `core` when taskset exists (its processes inherit it), so the server and its database
 * share the server's core, as SQLite does inside the server process. Resolves to { url, cpuSeconds, destroy }.
 */
export async function startPostgresCluster({ core } = {}) {
  if (!findPostgresBin()) {
    throw new Error('--db postgres: no initdb/pg_ctl found; install PostgreSQL or set BENCH_DATABASE_URL');
  }
  const cluster = await startCluster({ prefix: 'threadstore-bench-pg-', settings: ['-c shared_buffers=256MB'], core });
  // pg_ctl detaches the server: an interrupted benchmark must still stop it.
  const onSignal = (signal) => {
    cluster.stopNow();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const postmasterPid = cluster.postmasterPid();
  return {
    url: cluster.url,
    cpuSeconds: () => clusterCpuSeconds(postmasterPid),
    async destroy() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await cluster.stop().catch(() => undefined);
      cluster.removeFolder();
    },
  };
}
