// A throwaway PostgreSQL for the tests: a cluster of its own (initdb + pg_ctl) on a free port in a temporary
// folder, or the server TEST_DATABASE_URL names. Each test then gets a database of its own on it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { clusterUser, findPostgresBin, startCluster } from './postgres-processes.mjs';

export type Availability = { ok: true } | { ok: false; reason: string };

export function postgresAvailability(): Availability {
  if (process.env.TEST_DATABASE_URL) return { ok: true };
  if (!findPostgresBin()) return { ok: false, reason: 'no initdb/pg_ctl found and TEST_DATABASE_URL is not set' };
  try {
    clusterUser();
  } catch {
    return { ok: false, reason: "running as root but there is no 'postgres' OS user to run the cluster" };
  }
  return { ok: true };
}

export interface PostgresCluster {
  /** Superuser URL of the `postgres` database. */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster and removes its folder. */
  destroy(): Promise<void>;
}

/** A cluster of its own for the tests, tuned for them: no fsync, room for many pools at once. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const cluster = await startCluster({
    prefix: 'threadstore-pg-',
    settings: ['-c max_connections=300', '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'],
  });
  let running = true;
  return {
    url: cluster.url,
    async start() {
      await cluster.start();
      running = true;
    },
    async stop() {
      await cluster.stop();
      running = false;
    },
    async destroy() {
      if (running) await cluster.stop().catch(() => undefined);
      cluster.removeFolder();
    },
  };
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** One connection to `url` for the length of `work`. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the server `adminUrl` points at (about 0.4 s): for tests that need a whole one. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `threadstore_test_${randomBytes(8).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/**
 * A fresh, empty schema in the database `databaseUrl` names (about 2 ms, where a database takes 0.4 s): the
 * URL it answers sets `search_path` to it, so the app creates its tables there, migrating like production.
 */
export async function createTestSchema(databaseUrl: string): Promise<TestDatabase> {
  const name = `test_${randomBytes(8).toString('hex')}`;
  await withClient(databaseUrl, (client) => client.query(`CREATE SCHEMA ${name}`));
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: url.toString(),
    drop: () =>
      withClient(databaseUrl, (client) => client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`)).then(() => undefined),
  };
}
