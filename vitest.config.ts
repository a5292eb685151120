import { defineConfig } from 'vitest/config';
import { postgresAvailability } from './test/helpers/postgres.js';

// Every test file runs twice, once per engine, except files in a `postgres/` folder (about PostgreSQL
// itself: only in the `postgres` project) or a `sqlite/` folder (only in `sqlite`). Where no PostgreSQL
// exists the `postgres` project skips all its tests (and says so); in CI (CI=true) that is an error, so the
// PostgreSQL suites cannot go missing.
const postgres = postgresAvailability();
if (!postgres.ok) {
  if (process.env.CI === 'true') throw new Error(`CI: the PostgreSQL suites cannot run: ${postgres.reason}`);
  // The config is read once per project: say it once.
  const said = globalThis as { postgresSkipNoticeShown?: boolean };
  if (!said.postgresSkipNoticeShown) console.warn(`\n  PostgreSQL suites SKIPPED: ${postgres.reason}\n`);
  said.postgresSkipNoticeShown = true;
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          exclude: ['**/node_modules/**', 'test/**/postgres/**'],
          env: { THREADSTORE_TEST_ENGINE: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          exclude: ['**/node_modules/**', 'test/**/sqlite/**'],
          env: { THREADSTORE_TEST_ENGINE: 'postgres' },
          // A pattern that matches no name: every test is reported as skipped, no hook runs.
          ...(postgres.ok ? { globalSetup: ['test/helpers/postgres-global-setup.ts'] } : { testNamePattern: /$^/ }),
        },
      },
    ],
  },
});
