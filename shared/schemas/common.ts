import { z } from 'zod';

/** A market id: a URL-safe slug. */
export const MarketId = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/, 'a slug of a-z, 0-9 and -');
export type MarketId = z.infer<typeof MarketId>;

/** An outcome id: `yes`/`no` for binary markets, a short slug for multiple choice. */
export const OutcomeId = z.string().regex(/^[a-z0-9_-]{1,40}$/, 'a slug of a-z, 0-9, _ and -');
export type OutcomeId = z.infer<typeof OutcomeId>;

export const Username = z.string().regex(/^[a-z0-9_]{3,32}$/, '3–32 of a-z, 0-9 and _');
export type Username = z.infer<typeof Username>;

/** An ISO-8601 time in UTC, as the server sends it. */
export const IsoTime = z.iso.datetime({ offset: true });
export type IsoTime = z.infer<typeof IsoTime>;

/** A probability in [0, 1]. */
export const Probability = z.number().min(0).max(1);

/** Integer cents, safe for arithmetic. */
export const Cents = z.number().int();

/** Text that people type: trimmed, without control characters other than newlines and tabs. */
export function text(max: number, min = 0) {
  return (
    z
      .string()
      .max(max)
      .transform((s) => s.trim())
      .refine((s) => s.length >= min, { message: `at least ${min} characters` })
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject them
      .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), {
        message: 'contains control characters',
      })
  );
}

/** A space's id: `sp_` and 16 url-safe characters. */
export const SpaceId = z.string().regex(/^sp_[A-Za-z0-9_-]{16}$/, 'a space id');
export type SpaceId = z.infer<typeof SpaceId>;

export const Role = z.enum(['admin', 'trader']);
export type Role = z.infer<typeof Role>;

export const MarketStatus = z.enum(['open', 'closed', 'resolved', 'cancelled']);
export type MarketStatus = z.infer<typeof MarketStatus>;

export const MarketType = z.enum(['binary', 'multiple']);
export type MarketType = z.infer<typeof MarketType>;

/**
 * Paging: `?limit=` (1–1000) and `?before=<cursor>`, the cursor being an answer's `nextCursor`
 * (opaque to clients). `fallback` is the limit when none is given.
 */
export function pageQuery(fallback: number) {
  return z.object({
    limit: z.coerce.number().int().min(1).max(1000).default(fallback),
    before: z.string().min(1).max(200).optional(),
  });
}

/** Where the next page starts; null on the last page. */
export const NextCursor = z.string().nullable();

/** The error body of every 4xx answer. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
