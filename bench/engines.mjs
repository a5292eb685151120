// The store engines the benchmark can drive. Each makes a fresh database for a named data set, seeds it
// without HTTP, and names the DATABASE_URL the server is started with. Add an engine here to bench it.
import { join } from 'node:path';

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
};
