import type { Page } from '../store/types.js';

/** A store page as the API answers it: `first_id`/`last_id` name the ends of `data`, null when it is empty. */
export function toListResponse<Item extends { id: string }>(page: Page<Item>) {
  return {
    object: 'list' as const,
    data: page.data,
    first_id: page.data[0]?.id ?? null,
    last_id: page.data.at(-1)?.id ?? null,
    has_more: page.has_more,
  };
}
