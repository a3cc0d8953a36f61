import { z } from 'zod';
import type { ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { assertNever, type ErrorCode, httpStatusOf } from '../../shared/errors.ts';
import type { RouteSpec } from './routeSpec.ts';

/**
 * The error answers of the OpenAPI document: each status a route can answer with the codes it
 * carries there, why, and the shared `ErrorBody` narrowed to those codes.
 */

/** Why a route of this kind answers the code: the sentence its response's description gives. */
function reasonFor(code: ErrorCode, r: RouteSpec): string {
  switch (code) {
    case 'validation_failed':
      return 'a path parameter, the query or the body is off its schema, or the body is not JSON';
    case 'unauthenticated':
      if (r.access === 'public') return 'a bearer token was sent that is not live';
      if (r.access === 'slack' || r.access === 'discord')
        return 'the signature is missing, stale, wrong or replayed (details.reason)';
      return 'no live session or token';
    case 'forbidden':
      if (r.access === 'admin') return 'not an admin; or a cross-site write with the cookie';
      if (r.access === 'slack' || r.access === 'discord') return 'this integration is off';
      return 'not allowed to the caller, or a cross-site write with the session cookie';
    case 'not_found':
      return 'nothing by that id that the caller may see (a private space answers the same)';
    case 'conflict':
      return 'the state does not allow it (taken id, already decided, last owner, not resolved)';
    case 'market_not_open':
      return 'the market is not open (or, to resolve, not open or closed)';
    case 'insufficient_funds':
      return 'the trade costs more than the balance';
    case 'insufficient_shares':
      return 'selling more shares than held';
    case 'slippage':
      return 'the trade would cost more than maxCostCents';
    case 'rate_limited':
      return 'too many requests; retry after Retry-After';
    case 'payload_too_large':
      return r.bodyType ? 'the form is over its limit' : 'the body is over 64 KB';
    case 'busy':
      return 'too much contention on the same rows; retry after Retry-After';
    case 'store_unavailable':
      return 'the database cannot be reached; retry after Retry-After';
    default:
      return assertNever(code);
  }
}

/** The part of a code's reason that depends on the kind of route, as a name. */
function variantOf(code: ErrorCode, r: RouteSpec): string {
  const chat = r.access === 'slack' || r.access === 'discord';
  if (code === 'unauthenticated') return r.access === 'public' ? 'Token' : chat ? 'Signature' : '';
  if (code === 'forbidden') return r.access === 'admin' ? 'Admin' : chat ? 'Integration' : '';
  if (code === 'payload_too_large' && r.bodyType) return 'Form';
  return '';
}

const RETRY_AFTER = z.number().int().nonnegative().meta({ description: 'Seconds to wait' });

/**
 * Error answers, shared between operations as named components (`#/components/responses/…`):
 * most routes answer the same few, and inlining each would make the document five times larger.
 */
export class ErrorResponses {
  readonly components: Record<string, ZodOpenApiResponseObject> = {};
  private readonly names = new Map<string, string>();

  /** One response per status, naming each code the route can answer with it and why. */
  of(r: RouteSpec): ZodOpenApiResponsesObject {
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of r.errors) {
      const status = httpStatusOf(code);
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    const out: ZodOpenApiResponsesObject = {};
    for (const [status, codes] of byStatus) {
      const description = codes.map((c) => `\`${c}\`: ${reasonFor(c, r)}`).join('; ');
      const key = `${status} ${description}`;
      let name = this.names.get(key);
      if (!name) {
        name = this.freeName(codes, r);
        this.names.set(key, name);
        this.components[name] = errorResponse(status, codes, description);
      }
      out[`${status}` as `4${string}`] = { $ref: `#/components/responses/${name}` };
    }
    return out;
  }

  /**
   * `['busy', 'store_unavailable']` → `BusyOrStoreUnavailable`; a code whose reason depends on
   * the kind of route carries it: `UnauthenticatedSignature`, `ForbiddenAdmin`.
   */
  private freeName(codes: ErrorCode[], r: RouteSpec): string {
    const base = codes.map((c) => pascal(c) + variantOf(c, r)).join('Or');
    let name = base;
    for (let n = 2; name in this.components; n++) name = `${base}${n}`;
    return name;
  }
}

const pascal = (s: string) =>
  s
    .split(/[-_]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

function errorResponse(
  status: number,
  codes: ErrorCode[],
  description: string,
): ZodOpenApiResponseObject {
  const retry = status === 429 || status === 503;
  return {
    description,
    ...(retry ? { headers: z.object({ 'Retry-After': RETRY_AFTER.optional() }) } : {}),
    content: {
      'application/json': {
        schema: {
          // ErrorBody, with `code` one of those named.
          allOf: [
            { $ref: '#/components/schemas/ErrorBody' },
            {
              type: 'object',
              properties: { error: { type: 'object', properties: { code: { enum: codes } } } },
            },
          ],
        },
      },
    },
  };
}
