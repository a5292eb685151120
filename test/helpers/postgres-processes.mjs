// Starting a throwaway PostgreSQL cluster, for the tests (test/helpers/postgres.ts) and the benchmark
// (bench/postgres-cluster.mjs) alike. Plain JavaScript so plain Node, which runs the benchmark, can import it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The folder holding initdb and pg_ctl: Debian's newest version, else whatever PATH has. */
export function findPostgresBin() {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((version) => existsSync(join(debian, version, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

/** PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` OS user. */
export function clusterUser() {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs a command (as `user` when given) to its end; rejects with its stderr when it fails. */
export function run(command, args, user) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...user,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${stderr}`)),
    );
  });
}

/**
 * initdb + pg_ctl start in a fresh temporary folder (`prefix`), listening on 127.0.0.1 and a free port, with
 * `settings` (`-c name=value` each) on top; as root, as the `postgres` OS user. With `core` (and taskset),
 * the postmaster and every backend run on that core. `stopNow()` is synchronous, for signal handlers.
 */
export async function startCluster({ prefix, settings = [], core }) {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed: no initdb/pg_ctl found');
  const user = clusterUser();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const options = [`-p ${port}`, '-c listen_addresses=127.0.0.1', `-c unix_socket_directories=${dir}`, ...settings];
  const pgCtl = (...args) => [join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '60', ...args]];
  const pinned = core !== undefined && spawnSync('taskset', ['--version']).status === 0;
  const start = () => {
    const [file, args] = pgCtl('-l', join(dir, 'server.log'), '-o', options.join(' '), 'start');
    return pinned ? run('taskset', ['-c', String(core), file, ...args], user) : run(file, args, user);
  };
  const stopNow = () => {
    const [file, args] = pgCtl('-m', 'immediate', 'stop');
    spawnSync(file, args, { ...user, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      user,
    );
    await start();
  } catch (error) {
    stopNow();
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop: () => run(...pgCtl('-m', 'fast', 'stop'), user),
    stopNow,
    /** The running postmaster's process id. */
    postmasterPid: () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    removeFolder: () => rmSync(dir, { recursive: true, force: true }),
  };
}
