/**
 * What a list page must hold, computed from the messages a test created (CONTRACT.md, Lists):
 * the reference the pagination tests compare the API with.
 */

export interface ModelMessage {
  id: string;
  deleted: boolean;
  run_id: string | null;
}

export interface ModelQuery {
  limit?: number;
  order?: 'asc' | 'desc';
  after?: string;
  before?: string;
  run_id?: string;
}

export interface ModelPage {
  ids: string[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** `inserted` holds every message of the thread in insertion order, deleted ones included. */
export function expectedPage(inserted: readonly ModelMessage[], query: ModelQuery): ModelPage {
  const limit = query.limit ?? 20;
  const ascending = (query.order ?? 'desc') === 'asc';
  const position = new Map(inserted.map((m, i) => [m.id, i]));
  const rank = (id: string) => {
    const p = position.get(id);
    if (p === undefined) throw new Error(`cursor ${id} is not a message of this thread`);
    return ascending ? p : -p;
  };
  const live = inserted.filter((m) => !m.deleted && (query.run_id === undefined || m.run_id === query.run_id));
  const inOrder = ascending ? live : [...live].reverse();
  const candidates = inOrder.filter(
    (m) =>
      (query.after === undefined || rank(m.id) > rank(query.after)) &&
      (query.before === undefined || rank(m.id) < rank(query.before)),
  );
  const closestToBefore = query.before !== undefined && query.after === undefined;
  const page = closestToBefore ? candidates.slice(-limit) : candidates.slice(0, limit);
  const ids = page.map((m) => m.id);
  return { ids, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null, has_more: candidates.length > limit };
}
