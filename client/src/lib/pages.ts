/**
 * Pages of a cursor-paged list as an infinite query keeps them: newest first, each page
 * starting strictly after the last item of the one before, plus live items put on top of the
 * first page as they happen. Framework-free, so it is tested without React.
 */

/**
 * Every item of every page in order, each once by `keyOf`: a live item may reach the first page
 * over the socket and again in a refetch, and it must not show twice.
 */
export function itemsOfPages<P, T>(
  data: { pages: readonly P[] } | undefined,
  itemsOf: (page: P) => readonly T[],
  keyOf: (item: T) => string,
): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const page of data?.pages ?? []) {
    for (const item of itemsOf(page)) {
      const key = keyOf(item);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

/**
 * The pages with `item` on top of the first, unless a page holds it already (by id). Nothing
 * loaded yet stays nothing: the first fetch will bring the item. The first page's cursor is
 * not touched, so fetching the next page still starts after what the server first sent and
 * nothing comes twice.
 */
export function withNewest<
  K extends string,
  T extends { id: string },
  D extends { pages: readonly Record<K, readonly T[]>[] },
>(data: D | undefined, field: K, item: T): D | undefined {
  if (!data || data.pages.length === 0) return data;
  if (data.pages.some((p) => p[field].some((x) => x.id === item.id))) return data;
  const [first, ...rest] = data.pages;
  // The spreads keep each page's other fields (community, nextCursor) and D's own (pageParams).
  return { ...data, pages: [{ ...first!, [field]: [item, ...first![field]] }, ...rest] } as D;
}

/** The pages with the first one's fields replaced by `patch` (a total that covers them all). */
export function withFirstPage<P extends object, D extends { pages: readonly P[] }>(
  data: D | undefined,
  patch: Partial<P>,
): D | undefined {
  if (!data || data.pages.length === 0) return data;
  const [first, ...rest] = data.pages;
  return { ...data, pages: [{ ...first!, ...patch }, ...rest] } as D;
}
