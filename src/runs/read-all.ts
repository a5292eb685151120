/** How many rows each page of a whole read asks for. */
export const PAGE = 100;

/** Every page of a list, oldest first. */
export async function readAll<T extends { id: string }>(
  page: (after: string | undefined) => Promise<{ data: T[]; has_more: boolean } | undefined>,
): Promise<T[]> {
  const all: T[] = [];
  for (let after: string | undefined; ; ) {
    const next = await page(after);
    if (!next) return all;
    all.push(...next.data);
    if (!next.has_more || next.data.length === 0) return all;
    after = next.data.at(-1)!.id;
  }
}
