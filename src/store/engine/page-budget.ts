/**
 * A message page stops early, with `has_more: true`, once it holds this much stored message JSON
 * (content, attachments and metadata): a page of a hundred 2 MB messages would otherwise be read,
 * parsed and sent in one go. The first message always comes, whatever its size.
 */
export const PAGE_BYTE_BUDGET = 1024 * 1024;

/** How many rows, in order, fit the budget given their stored sizes (the first always does). */
export function rowsWithinBudget(sizes: number[]): number {
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    bytes += sizes[i]!;
    if (i > 0 && bytes > PAGE_BYTE_BUDGET) return i;
  }
  return sizes.length;
}
