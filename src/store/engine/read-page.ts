import type { Page, PageQuery } from '../types.js';

export type Direction = 'ASC' | 'DESC';

/** Past every real position: the open end of a list range. */
export const END = Number.MAX_SAFE_INTEGER;

/** What a reader found: up to `limit` rows in order, and whether it stopped short with rows left unread. */
export interface Slice<Row> {
  rows: Row[];
  cut: boolean;
}

/**
 * How a page of a list ordered by an integer position (SQLite's seq, PostgreSQL's position) is read.
 * `after` and `before` are cursors; in position terms they bound the range on the side the order gives
 * them: `low` names the cursor below the page's positions, `high` the one above. A `before` page without
 * `after` holds the items closest to the cursor, so it is read from the cursor outwards and turned around.
 * The reader is asked for one row more than the page, to tell `has_more`.
 */
export function pagePlan(query: PageQuery) {
  const ascending = query.order === 'asc';
  const fromCursor = query.before !== undefined && query.after === undefined;
  return {
    direction: (ascending !== fromCursor ? 'ASC' : 'DESC') as Direction,
    low: ascending ? ('after' as const) : ('before' as const),
    high: ascending ? ('before' as const) : ('after' as const),
    fromCursor,
    limit: query.limit + 1,
  };
}

/** The page a reader's rows make, read as `pagePlan` said. */
export function finishPage<Row>(query: PageQuery, { rows, cut }: Slice<Row>): Page<Row> {
  let has_more = cut;
  if (rows.length > query.limit) {
    rows.pop();
    has_more = true;
  }
  if (pagePlan(query).fromCursor) rows.reverse();
  return { data: rows, has_more };
}

type RangeReader<Row> = (direction: Direction, low: number, high: number, limit: number) => Row;

/** One page, given the cursors' positions and a reader of a range of them. */
export async function readPage<Row>(
  query: PageQuery,
  after: number | undefined,
  before: number | undefined,
  read: RangeReader<Slice<Row> | Promise<Slice<Row>>>,
): Promise<Page<Row>> {
  const plan = pagePlan(query);
  const positions = { after, before };
  const slice = await read(plan.direction, positions[plan.low] ?? 0, positions[plan.high] ?? END, plan.limit);
  return finishPage(query, slice);
}

/** The first page of a list, oldest first, from a reader that answers at once (inside a transaction). */
export function readFirstPage<Row>(limit: number, read: RangeReader<Slice<Row>>): Page<Row> {
  const query = { limit, order: 'asc' as const };
  const plan = pagePlan(query);
  return finishPage(query, read(plan.direction, 0, END, plan.limit));
}

/** A reader's answer when it read every row it was given. */
export const whole = <Row>(rows: Row[]): Slice<Row> => ({ rows, cut: false });
