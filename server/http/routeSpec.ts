import type { z } from 'zod';
import { ErrorCode, httpStatusOf } from '../../shared/errors.ts';

/**
 * `public`: anyone; `user`: any signed-in user; `admin`: admins; `slack`: a signed Slack
 * request; `discord`: a signed Discord interaction.
 */
export type Access = 'public' | 'user' | 'admin' | 'slack' | 'discord';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path as Express declares it, with the /api prefix. */
  path: string;
  access: Access;
  /** One line for the API reference. */
  summary: string;
  /** The reference's section for it. */
  tags?: string[];
  /** The status of a successful call. */
  okStatus: number;
  /** The body of a successful answer; undefined when it has none (204). */
  response?: z.ZodType;
  /** The answer's media type when it is not JSON. */
  responseType?: 'text/html' | 'text/csv';
  /** The request body's schema: the oracle for whether a generated body is valid. */
  body?: z.ZodType;
  /** The body's media type when it is not JSON: Slack posts forms. */
  bodyType?: 'application/x-www-form-urlencoded';
  /** The query string's schema (after Node's querystring.parse, Express 5's default parser). */
  query?: z.ZodType;
  /** Path parameters and their schemas. */
  params?: Record<string, z.ZodType>;
  /** Every error code the route can answer, the derived ones included (see `withErrors`). */
  errors: ErrorCode[];
}

/** A table entry: its own error codes only; `withErrors` adds those every route of its kind has. */
export type RouteEntry = Omit<RouteSpec, 'errors'> & { errors?: ErrorCode[] };

/**
 * The error codes a route can answer by its shape alone, then its own. Any request may carry a
 * session or token, and reading it needs the store: so any route can answer 401 (a token that
 * is not live, even on a public route) and 503. Any write is refused cross-site (403), as is an
 * admin route to anyone else; a body can be too large (413); an id in the path may name nothing
 * (404); whatever is parsed can be off its schema (400).
 */
export function withErrors(entry: RouteEntry): RouteSpec {
  const codes = new Set<ErrorCode>();
  if (entry.params || entry.query || entry.body) codes.add('validation_failed');
  codes.add('unauthenticated');
  if (entry.access === 'admin' || entry.method !== 'GET') codes.add('forbidden');
  if (entry.params) codes.add('not_found');
  for (const code of entry.errors ?? []) codes.add(code);
  if (entry.body) codes.add('payload_too_large');
  codes.add('busy');
  codes.add('store_unavailable');
  // By status, then in the order shared/errors.ts declares them.
  const ordered = Object.values(ErrorCode)
    .filter((c) => codes.has(c))
    .sort((a, b) => httpStatusOf(a) - httpStatusOf(b));
  return { ...entry, errors: ordered };
}

/** Tags each entry of a section of the table. */
export function section(tag: string, entries: RouteEntry[]): RouteEntry[] {
  return entries.map((e) => ({ ...e, tags: e.tags ?? [tag] }));
}
