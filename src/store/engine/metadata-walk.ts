import type { Direction } from './read-page.js';
import type { Metadata } from '../types.js';

export type Pair = [key: string, value: string];

/** A thread holding the driving pair, with its row when it holds every other wanted pair too. */
export interface Candidate<Row> {
  position: number;
  row: Row | null;
}

/** An engine's index of thread metadata pairs (tenant, key, value, thread position), as the walk uses it. */
export interface PairIndex<Row> {
  /** How many of the tenant's threads hold the pair, counted no further than `cap`. */
  count(pair: Pair, cap: number): number | Promise<number>;
  /** Up to `max` threads holding `driver`, in `direction` strictly between `low` and `high`. */
  scan(
    driver: Pair,
    others: Pair[],
    direction: Direction,
    low: number,
    high: number,
    max: number,
  ): Candidate<Row>[] | Promise<Candidate<Row>[]>;
}

/** Enough to tell a rare pair from a common one; counting further would cost what the tenant stores. */
const COUNT_CAP = 1000;

/** Threads examined per statement: each statement stays short, and the event loop turns between them. */
const SCAN_BATCH = 500;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Up to `limit` of the tenant's threads holding every pair of `filter`, in order between `low` and `high`.
 * The walk follows the index entries of the rarest pair (a pair no thread holds ends it at once), checking
 * the others for each; a page of common pairs fills within the first batch. Where the pairs are common but
 * rarely held together, the walk takes several batches, each in a turn of the event loop of its own.
 */
export async function walkFiltered<Row>(
  index: PairIndex<Row>,
  filter: Metadata,
  direction: Direction,
  low: number,
  high: number,
  limit: number,
): Promise<Row[]> {
  const pairs = Object.entries(filter);
  const counts = await Promise.all(pairs.map((pair) => index.count(pair, COUNT_CAP)));
  const byRarity = pairs.map((pair, i) => ({ pair, count: counts[i]! })).sort((a, b) => a.count - b.count);
  if (byRarity[0]!.count === 0) return [];
  const [driver, ...others] = byRarity.map(({ pair }) => pair);
  const found: Row[] = [];
  for (;;) {
    const batch = await index.scan(driver!, others, direction, low, high, SCAN_BATCH);
    for (const { row } of batch) if (row && found.length < limit) found.push(row);
    if (found.length >= limit || batch.length < SCAN_BATCH) return found;
    const last = batch[batch.length - 1]!.position;
    if (direction === 'ASC') low = last;
    else high = last;
    await nextTurn();
  }
}
