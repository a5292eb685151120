/** How many rows each page of a whole read asks for. */
export const PAGE = 100;

type Page<T> = { data: T[]; has_more: boolean };

/** Every page of a list, oldest first; from `first` on when the first page was read already. */
export async function readAll<T extends { id: string }>(
  page: (after: string | undefined) => Promise<Page<T> | undefined>,
  first?: Page<T>,
): Promise<T[]> {
  const all: T[] = [];
  for (let after: string | undefined; ; ) {
    const next = first ?? (await page(after));
    first = undefined;
    if (!next) return all;
    all.push(...next.data);
    if (!next.has_more || next.data.length === 0) return all;
    after = next.data.at(-1)!.id;
  }
}
