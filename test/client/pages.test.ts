import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemsOfPages, withFirstPage, withNewest } from '../../client/src/lib/pages.ts';

type Item = { id: string };
type Page = { trades: Item[]; nextCursor: string | null };
type Data = { pages: Page[]; pageParams: (string | undefined)[] };

const item = (n: number): Item => ({ id: `t${n}` });
const ids = (data: Data | undefined) =>
  itemsOfPages(
    data,
    (p) => p.trades,
    (t) => t.id,
  );

/**
 * The server's side, as the API describes it: newest first, each page the `limit` items
 * strictly older than the cursor (here the last id shown), `nextCursor` null on the last.
 */
function serverPage(all: readonly number[], limit: number, before?: string): Page {
  const older = [...all].reverse().filter((n) => before === undefined || n < Number(before));
  const items = older.slice(0, limit);
  return {
    trades: items.map(item),
    nextCursor: older.length > limit ? String(items[items.length - 1]) : null,
  };
}

describe('itemsOfPages', () => {
  it('joins the pages in order and shows an item twice only once', () => {
    const data: Data = {
      pages: [
        { trades: [item(5), item(4)], nextCursor: 'a' },
        { trades: [item(4), item(3)], nextCursor: null },
      ],
      pageParams: [undefined, 'a'],
    };
    expect(ids(data).map((t) => t.id)).toEqual(['t5', 't4', 't3']);
  });

  it('is empty before anything loads', () => {
    expect(ids(undefined)).toEqual([]);
  });
});

describe('withNewest', () => {
  const loaded = (): Data => ({
    pages: [
      { trades: [item(3), item(2)], nextCursor: '2' },
      { trades: [item(1)], nextCursor: null },
    ],
    pageParams: [undefined, '2'],
  });

  it('puts a new item on top of the first page and keeps its cursor', () => {
    const data = loaded();
    const next = withNewest(data, 'trades', item(4))!;
    expect(next.pages[0]).toEqual({ trades: [item(4), item(3), item(2)], nextCursor: '2' });
    expect(next.pages[1]).toBe(data.pages[1]);
    expect(next.pageParams).toBe(data.pageParams);
  });

  it('leaves the pages as they are when any page holds the item already', () => {
    // The trader's own HTTP answer put t4 in; the socket then brings the same trade.
    const once = withNewest(loaded(), 'trades', item(4))!;
    expect(withNewest(once, 'trades', item(4))).toBe(once);
    // An item on a later page is not copied to the top either.
    const data = loaded();
    expect(withNewest(data, 'trades', item(1))).toBe(data);
  });

  it('does nothing before the first page has loaded', () => {
    expect(withNewest(undefined as Data | undefined, 'trades', item(1))).toBeUndefined();
    const empty: Data = { pages: [], pageParams: [] };
    expect(withNewest(empty, 'trades', item(1))).toBe(empty);
  });

  it('does not change the pages it was given', () => {
    const data = loaded();
    withNewest(data, 'trades', item(9));
    expect(data).toEqual(loaded());
  });

  it('with cursor paging, yields every item once while new ones arrive between pages', () => {
    // Any interleaving of "a new item arrives live" and "the next page is fetched", walked to
    // the end, shows exactly the server's list, newest first.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        (initial, limit, steps) => {
          const all = Array.from({ length: initial }, (_, i) => i + 1);
          const first = serverPage(all, limit);
          let data: Data = { pages: [first], pageParams: [undefined] };
          const fetchNext = () => {
            const cursor = data.pages.at(-1)!.nextCursor;
            if (cursor === null) return;
            data = {
              pages: [...data.pages, serverPage(all, limit, cursor)],
              pageParams: [...data.pageParams, cursor],
            };
          };
          for (const arrives of steps) {
            if (arrives) {
              all.push(all.length + 1);
              data = withNewest(data, 'trades', item(all.length))!;
            } else {
              fetchNext();
            }
          }
          while (data.pages.at(-1)!.nextCursor !== null) fetchNext();
          const shown = ids(data).map((t) => t.id);
          expect(shown).toEqual([...all].reverse().map((n) => `t${n}`));
          // Nothing was shown twice even before the join took out repeats.
          expect(data.pages.flatMap((p) => p.trades)).toHaveLength(all.length);
        },
      ),
    );
  });
});

describe('withFirstPage', () => {
  it('replaces fields of the first page only', () => {
    const data = {
      pages: [
        { forecasts: [item(2)], community: { count: 1 }, nextCursor: 'x' },
        { forecasts: [item(1)], community: { count: 1 }, nextCursor: null },
      ],
      pageParams: [undefined, 'x'],
    };
    const next = withFirstPage(data, { community: { count: 2 } })!;
    expect(next.pages[0]).toEqual({
      forecasts: [item(2)],
      community: { count: 2 },
      nextCursor: 'x',
    });
    expect(next.pages[1]).toBe(data.pages[1]);
    expect(next.pageParams).toBe(data.pageParams);
  });

  it('does nothing before the first page has loaded', () => {
    expect(withFirstPage(undefined as { pages: { n: number }[] } | undefined, { n: 1 })).toBe(
      undefined,
    );
  });
});
