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
 * One page of a list ordered by an integer position (SQLite's seq, PostgreSQL's position). `after` and
 * `before` are cursor positions; in position terms they bound the range on the side the order gives them.
 * A `before` page without `after` holds the items closest to the cursor, so it is read from the cursor
 * outwards and turned around. The reader is asked for one row more than the page, to tell `has_more`.
 */
export async function readPage<Row>(
  query: PageQuery,
  after: number | undefined,
  before: number | undefined,
  read: (direction: Direction, low: number, high: number, limit: number) => Slice<Row> | Promise<Slice<Row>>,
): Promise<Page<Row>> {
  const ascending = query.order === 'asc';
  const low = (ascending ? after : before) ?? 0;
  const high = (ascending ? before : after) ?? END;
  const fromCursor = before !== undefined && after === undefined;
  const { rows, cut } = await read(ascending !== fromCursor ? 'ASC' : 'DESC', low, high, query.limit + 1);
  let has_more = cut;
  if (rows.length > query.limit) {
    rows.pop();
    has_more = true;
  }
  if (fromCursor) rows.reverse();
  return { data: rows, has_more };
}

/** A reader's answer when it read every row it was given. */
export const whole = <Row>(rows: Row[]): Slice<Row> => ({ rows, cut: false });
