// A page statement must read the rows of its page and no more, whatever PostgreSQL knows of the table: on a
// table written just now (autovacuum off, so no statistics at all) and after ANALYZE, in the plan made for the
// values (custom) and the one the server ends up reusing for a named statement (generic). The thread view's
// page reads its own index (migration 008): through the thread's primary key it read, and filtered out,
// every item of other types between its messages.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SQL } from '../../../src/store/postgres/statements/items.js';
import type { ItemView } from '../../../src/store/records.js';
import { newId } from '../../../src/ids.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { executedPlan } from '../../helpers/postgres-plans.js';
import { importedItem, userMessage } from '../../helpers/store-items.js';

const LIMIT = 21;
const MESSAGES = 25;
const CALLS_EACH = 1_000;
const LONG = 30_000;

describe('page plans on PostgreSQL', () => {
  let t: TestApp;
  let client: pg.Client;
  /** A thread of MESSAGES messages, each followed by CALLS_EACH function calls; a thread of LONG messages. */
  let hidden: { id: string; messages: string[]; calls: string[] };
  let long: { id: string; messages: string[] };

  beforeAll(async () => {
    t = await buildTestApp();
    client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    // "Written just now": no statistics until the test asks for them.
    await client.query('ALTER TABLE messages SET (autovacuum_enabled = off)');
    const thread = (id: string) => ({
      id,
      object: 'thread' as const,
      created_at: 1_700_000_000,
      metadata: {},
      tool_resources: {},
    });
    // Every other message of a run, as imported ones can be: the run_id filter's index must still be read.
    const items = Array.from({ length: MESSAGES }, (_, i) => [
      { ...importedItem('message'), run_id: i % 2 === 0 ? 'run_a' : null },
      ...Array.from({ length: CALLS_EACH }, () => importedItem('function_call')),
    ]).flat();
    hidden = {
      id: newId('thread'),
      messages: items.filter((item) => item.type === 'message').map((item) => item.id),
      calls: items.filter((item) => item.type !== 'message').map((item) => item.id),
    };
    expect(await t.app.store.transfer.importThread('', thread(hidden.id), items)).toBe(true);
    // Written as the API writes, a request after the other.
    const created = await t.app.store.threads.create('', { metadata: {}, tool_resources: {}, items: [] });
    long = { id: created.id, messages: [] };
    for (let i = 0; i < LONG; i += 1_000) {
      const batch = Array.from({ length: 1_000 }, (_, j) => userMessage(`message ${i + j}`));
      long.messages.push(...(await t.app.store.items.create('', long.id, batch))!.map((item) => item.id));
    }
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  /** The page's scan of messages in the plan PostgreSQL runs for these cursors, with what it read. */
  async function pageScan(
    mode: string,
    view: ItemView,
    direction: 'ASC' | 'DESC',
    threadId: string,
    low: string | null,
    high: string | null,
    runId?: string,
  ) {
    await client.query(`SET plan_cache_mode = ${mode}`);
    const values = [threadId, '', low, high, LIMIT, 1024 * 1024, ...(runId === undefined ? [] : [runId])];
    const plan = await executedPlan(client, SQL.listPage(direction, runId !== undefined, view), values);
    return plan.filter((node) => node['Relation Name'] === 'messages' && node.Alias === 'm');
  }

  const pages = () =>
    [
      // Newest first from the end, then by `after` cursors, one a hidden item's: as the thread view pages.
      { view: 'thread', direction: 'DESC', thread: hidden.id, low: null, high: null },
      { view: 'thread', direction: 'DESC', thread: hidden.id, low: null, high: hidden.messages[22]! },
      { view: 'thread', direction: 'ASC', thread: hidden.id, low: hidden.calls[3_500]!, high: null },
      // The far end of a long thread just written, newest first, and its near end; oldest first likewise.
      { view: 'thread', direction: 'DESC', thread: long.id, low: null, high: long.messages[35]! },
      { view: 'thread', direction: 'DESC', thread: long.id, low: null, high: long.messages.at(-35)! },
      { view: 'thread', direction: 'ASC', thread: long.id, low: long.messages.at(-35)!, high: null },
      { view: 'all', direction: 'DESC', thread: long.id, low: null, high: long.messages[35]! },
      { view: 'all', direction: 'DESC', thread: hidden.id, low: null, high: hidden.messages[22]! },
      { view: 'thread', direction: 'DESC', thread: hidden.id, low: null, high: null, runId: 'run_a' },
      { view: 'all', direction: 'ASC', thread: hidden.id, low: null, high: null, runId: 'run_a' },
    ] as const;

  for (const statistics of ['none (table written just now)', 'after ANALYZE']) {
    test(`every page reads only its own rows, through one index range; statistics: ${statistics}`, async () => {
      if (statistics === 'after ANALYZE') await client.query('ANALYZE');
      for (const mode of ['force_custom_plan', 'force_generic_plan']) {
        for (const page of pages()) {
          const runId = 'runId' in page ? page.runId : undefined;
          const scans = await pageScan(mode, page.view, page.direction, page.thread, page.low, page.high, runId);
          const index =
            runId !== undefined
              ? 'messages_by_run'
              : page.view === 'thread'
                ? 'messages_in_thread_view'
                : 'messages_pkey';
          const read = scans.map((scan) => ({
            type: scan['Node Type'],
            index: scan['Index Name'],
            withinPage: scan['Actual Rows'] * scan['Actual Loops'] <= LIMIT,
            filteredOut: scan['Rows Removed by Filter'] ?? 0,
          }));
          expect(read, `${mode} ${JSON.stringify(page)}`).toEqual([
            { type: 'Index Scan', index, withinPage: true, filteredOut: 0 },
          ]);
        }
      }
    });
  }
});
