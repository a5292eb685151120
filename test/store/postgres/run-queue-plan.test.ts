// The run queue's statements must read the runs they are about, not every run the tenant (or the server)
// ever had: the count on every run create, the renewal on every heartbeat, the sweep every second, a list
// cursor. Checked as page-plan.test.ts checks pages: with no statistics and after ANALYZE, in custom and
// generic plans, on a tenant with thousands of finished runs and other tenants with unfinished ones.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RUN_LEASE_SQL } from '../../../src/store/postgres/statements/run-leases.js';
import { RUN_SQL } from '../../../src/store/postgres/statements/runs.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { executedPlan } from '../../helpers/postgres-plans.js';

const FINISHED = 5_000;
const HELD = 3;
const OTHER_TENANTS = 20;
const OTHERS_FINISHED = 100;
/** The partial indexes of unfinished runs (migrations 010 and 012). */
const UNFINISHED_INDEX = /^runs_(active_by_tenant|active_by_thread|unfinished)$/;

describe('run queue plans on PostgreSQL', () => {
  let t: TestApp;
  let client: pg.Client;
  let thread: number;

  beforeAll(async () => {
    t = await buildTestApp();
    client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    // "Written just now": no statistics until the test asks for them.
    await client.query('ALTER TABLE runs SET (autovacuum_enabled = off)');
    // A thread per tenant; the runs written over time, the tenants' interleaved, as a server writes them.
    const threads: Record<string, number> = {};
    for (const tenant of ['busy', ...Array.from({ length: OTHER_TENANTS }, (_, i) => `tenant_${i + 1}`)]) {
      const created = await t.app.store.threads.create(tenant, { metadata: {}, tool_resources: {}, items: [] });
      threads[tenant] = (await client.query('SELECT seq FROM threads WHERE id = $1', [created.id])).rows[0].seq;
    }
    thread = threads.busy!;
    await client.query(
      `INSERT INTO runs (id, tenant, thread_seq, status, expires_at, run, owner, lease_until)
       SELECT r.id, r.tenant, (($1::jsonb) ->> r.tenant)::bigint, r.status,
         CASE WHEN r.status <> 'completed' THEN 2000000000 + (random() * 600)::int END, '{}', r.owner, r.lease_until FROM (
         SELECT 'run_' || i AS id, 'busy' AS tenant, 'completed' AS status, NULL AS owner, NULL::bigint AS lease_until
           FROM generate_series(1, ${FINISHED}) i
         UNION ALL SELECT 'run_held_' || i, 'busy', 'in_progress', 'replica_a', $2 FROM generate_series(1, ${HELD}) i
         -- Each other tenant: its history, and one run waiting for tool outputs.
         UNION ALL SELECT 'run_' || j, 'tenant_' || i, CASE WHEN j = 0 THEN 'requires_action' ELSE 'completed' END,
             NULL, NULL
           FROM generate_series(1, ${OTHER_TENANTS}) i, generate_series(0, ${OTHERS_FINISHED}) j
       ) r ORDER BY random()`,
      [JSON.stringify(threads), Date.now() + 60_000],
    );
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  /** The indexes of `runs` the statement's plan reads, and the rows it reads from `runs`, kept or filtered out. */
  async function runsRead(sql: string, values: (string | number)[]) {
    const plan = await executedPlan(client, sql, values);
    const scans = plan.filter((node) => node['Relation Name'] === 'runs' && node['Node Type'] !== 'ModifyTable');
    return {
      indexes: plan.flatMap((node) => (node['Index Name']?.startsWith('runs_') ? [node['Index Name']] : [])),
      read: scans.reduce(
        (n, node) => n + node['Actual Rows'] * node['Actual Loops'] + (node['Rows Removed by Filter'] ?? 0),
        0,
      ),
    };
  }

  for (const statistics of ['none (table written just now)', 'after ANALYZE']) {
    test(`each statement reads only its own runs; statistics: ${statistics}`, async () => {
      if (statistics === 'after ANALYZE') await client.query('ANALYZE');
      for (const mode of ['force_custom_plan', 'force_generic_plan']) {
        await client.query(`SET plan_cache_mode = ${mode}`);
        const activeOf = await runsRead(RUN_LEASE_SQL.activeOf, ['busy']);
        const others = {
          renew: await runsRead(RUN_LEASE_SQL.renew, ['replica_a', Date.now() + 60_000]),
          stranded: await runsRead(RUN_LEASE_SQL.stranded, ['replica_b', Date.now(), 100]),
          runCursor: await runsRead(RUN_SQL.runCursor, ['busy', 'run_17', thread]),
        };
        expect(others, mode).toEqual({
          renew: { indexes: ['runs_by_owner'], read: HELD },
          // The held runs are the executable ones; their leases run, so the sweep leaves them.
          stranded: { indexes: ['runs_executable_in_order'], read: HELD },
          runCursor: { indexes: ['runs_tenant_id_key'], read: 1 },
        });
        // Where PostgreSQL's statistics say the tenant holds most runs, it may count through another index of
        // the unfinished runs, every tenant's: still not one finished run.
        expect(activeOf.indexes, mode).toEqual([expect.stringMatching(UNFINISHED_INDEX)]);
        expect(activeOf.read, mode).toBeLessThanOrEqual(HELD + OTHER_TENANTS);
      }
    });
  }
});
