// The store engines the benchmark can drive. Each makes a fresh database for a named data set, seeds it
// without HTTP, and names the DATABASE_URL the server is started with. Add an engine here to bench it.
// Optional: `cpuSeconds()`, CPU the engine spends outside the server process (added to the server's CPU per
// request), and `close()`, called once when the benchmark ends, also on errors.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';

export const engines = {
  sqlite: {
    /**
     * `threads`: one message count per thread; `keep`: how many message ids to return per thread at most.
     * Resolves to { databaseUrl, threads: [{ id, count, messageIds }] }.
     */
    async prepare(dir, name, threads, { keep } = {}) {
      // Imported late: the seeder uses the built migrations, which exist once the benchmark has built.
      const { seedSqlite } = await import('./seed-sqlite.mjs');
      const path = join(dir, `${name}.db`);
      return { databaseUrl: path, threads: seedSqlite(path, threads, { keep }) };
    },
  },
  postgres: postgresEngine(),
};

/**
 * One database per data set on the server BENCH_DATABASE_URL (or TEST_DATABASE_URL) names, whose user may
 * create databases, else on a throwaway cluster started on the servers' core; dropped (or removed) at the end.
 */
function postgresEngine() {
  let server;
  const databases = [];
  const admin = async (url, sql) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    async prepare(_dir, name, threads, { keep } = {}) {
      if (!server) {
        const given = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
        const { startPostgresCluster } = await import('./postgres-cluster.mjs');
        server = given ? { url: given } : await startPostgresCluster({ core: 0 });
      }
      const database = `threadstore_bench_${name}_${randomBytes(4).toString('hex')}`;
      await admin(server.url, `CREATE DATABASE ${database}`);
      databases.push(database);
      const url = new URL(server.url);
      url.pathname = `/${database}`;
      const { seedPostgres } = await import('./seed-postgres.mjs');
      return { databaseUrl: url.toString(), threads: await seedPostgres(url.toString(), threads, { keep }) };
    },
    cpuSeconds: () => server?.cpuSeconds?.(),
    async close() {
      if (!server) return;
      if (server.destroy) return server.destroy();
      for (const database of databases)
        await admin(server.url, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    },
  };
}
