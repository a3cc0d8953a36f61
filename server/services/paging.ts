import { z } from 'zod';
import { DomainError } from '../../shared/errors.ts';

/**
 * Cursors of paged lists. A cursor is the position of the last item a page showed — an id, or
 * a (time, id) pair — as url-safe base64 of JSON: opaque to clients, and checked here, so a
 * malformed one is a 400 `validation_failed`. Lists are newest first and each page starts
 * strictly after its cursor, so following `nextCursor` to `null` yields every item once, even
 * while new items arrive (they come before the first page, not inside the walk).
 */

const IdCursor = z.tuple([z.literal('i'), z.number().int().nonnegative()]);
const TimeCursor = z.tuple([z.literal('t'), z.string().max(40), z.string().max(200)]);

function decode<T>(schema: z.ZodType<T>, cursor: string): T {
  let value: unknown;
  try {
    value = /^[A-Za-z0-9_-]+$/.test(cursor)
      ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
      : undefined;
  } catch {
    value = undefined;
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new DomainError('validation_failed', 'before is not a cursor this list gave', {
      field: 'before',
    });
  }
  return r.data;
}

const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** The id a `?before=` cursor of an id-ordered list names. */
export function idBefore(cursor: string | undefined): number | undefined {
  return cursor === undefined ? undefined : decode(IdCursor, cursor)[1];
}

export function idCursor(id: number): string {
  return encode(['i', id]);
}

/** The (time, id) a `?before=` cursor of a list ordered by time then id names. */
export function timeBefore(cursor: string | undefined): { at: string; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const [, at, id] = decode(TimeCursor, cursor);
  return { at, id };
}

export function timeCursor(at: string, id: string): string {
  return encode(['t', at, id]);
}

/**
 * A page of `limit` from rows read with one extra (`limit + 1`): the rows to show, and the
 * cursor of the last one when there is more.
 */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  cursorOf: (row: T) => string,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return {
    items,
    nextCursor: rows.length > limit && items.length ? cursorOf(items[items.length - 1]!) : null,
  };
}

/**
 * A page of an in-memory list already in its order: newest first by time, ties by id (`tie`:
 * the id order within one time). The rows strictly after the cursor, `limit` of them.
 */
export function pageByTime<T>(
  rows: readonly T[],
  q: { limit: number; before?: string },
  key: (row: T) => { at: string; id: string },
  tie: 'asc' | 'desc',
): { items: T[]; nextCursor: string | null } {
  const after = timeBefore(q.before);
  const rest = after
    ? rows.filter((r) => {
        const k = key(r);
        if (k.at !== after.at) return k.at < after.at;
        return tie === 'asc' ? k.id > after.id : k.id < after.id;
      })
    : rows;
  return pageOf(rest.slice(0, q.limit + 1), q.limit, (r) => {
    const k = key(r);
    return timeCursor(k.at, k.id);
  });
}
