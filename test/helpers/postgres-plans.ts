// The plan PostgreSQL runs for a statement, as the plan tests read it: EXPLAIN ANALYZE of the statement
// prepared under a name, as the store sends it, in the plan cache mode the session has set.
import type pg from 'pg';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}
const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

/** Every node of the plan run for `sql` with `values`, in a transaction rolled back: a write keeps nothing. */
export async function executedPlan(
  client: pg.ClientBase,
  sql: string,
  values: (string | number | null)[],
): Promise<PlanNode[]> {
  const literals = values.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v}'`));
  await client.query('BEGIN');
  await client.query(`PREPARE statement AS ${sql}`);
  try {
    const { rows } = await client.query(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE statement(${literals.join(', ')})`,
    );
    return nodes(rows[0]['QUERY PLAN'][0].Plan as PlanNode);
  } finally {
    await client.query('ROLLBACK');
    await client.query('DEALLOCATE statement');
  }
}
