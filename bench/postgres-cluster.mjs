// A throwaway PostgreSQL cluster for the benchmark (initdb + pg_ctl on a free port in a temporary folder), as
// test/helpers/postgres.ts starts one for the tests; both use test/helpers/postgres-processes.mjs. As root, the cluster runs
// as the `postgres` OS user. Unlike the tests' cluster it keeps PostgreSQL's durable defaults (fsync,
// synchronous_commit on): the benchmark measures what a deployment pays for an acknowledged write.
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterUser, findPostgresBin, freePort, run } from '../test/helpers/postgres-processes.mjs';
import { TICKS_PER_SECOND, cpuSeconds } from './processes.mjs';

function postgresBin() {
  const bin = findPostgresBin();
  if (!bin) throw new Error('--db postgres: no initdb/pg_ctl found; install PostgreSQL or set BENCH_DATABASE_URL');
  return bin;
}

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
  const bin = postgresBin();
  const user = clusterUser();
  const dir = mkdtempSync(join(tmpdir(), 'threadstore-bench-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const pgCtl = (...args) => [join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '60', ...args]];
  const stopNow = () => {
    const [file, args] = pgCtl('-m', 'immediate', 'stop');
    spawnSync(file, args, { ...user, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  // pg_ctl detaches the server: an interrupted benchmark must still stop it.
  const onSignal = (signal) => {
    stopNow();
    process.kill(process.pid, signal);
  };
  try {
    await run(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      user,
    );
    const settings = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${dir}`,
      '-c shared_buffers=256MB',
    ];
    const [file, args] = pgCtl('-l', join(dir, 'server.log'), '-o', settings.join(' '), 'start');
    const pinned = core !== undefined && spawnSync('taskset', ['--version']).status === 0;
    await (pinned ? run('taskset', ['-c', String(core), file, ...args], user) : run(file, args, user));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  } catch (error) {
    stopNow();
    throw error;
  }
  const postmasterPid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pinned: core,
    cpuSeconds: () => clusterCpuSeconds(postmasterPid),
    async destroy() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const [file, args] = pgCtl('-m', 'fast', 'stop');
      await run(file, args, user).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
