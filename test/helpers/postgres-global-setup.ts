// vitest globalSetup of the `postgres` project: one PostgreSQL for the whole run, torn down afterwards.
import type { TestProject } from 'vitest/node';
import { createTestDatabase, startPostgresCluster } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL server, for creating one database per test. */
    postgresAdminUrl: string;
    /** The run's database, where each test app gets a schema of its own. */
    postgresTestsUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL;
  const cluster = given ? undefined : await startPostgresCluster();
  const adminUrl = given ?? cluster!.url;
  const tests = await createTestDatabase(adminUrl);
  project.provide('postgresAdminUrl', adminUrl);
  project.provide('postgresTestsUrl', tests.url);
  return async () => {
    await tests.drop();
    await cluster?.destroy();
  };
}
