import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { assertNever } from '../../shared/errors.ts';
import {
  AuditEntry,
  CalibrationBin,
  ChatIdentity,
  ChatLink,
  Claim,
  Comment,
  Community,
  Delivery,
  ErrorBody,
  Forecast,
  HistoryPoint,
  Invite,
  IsoTime,
  Market,
  MarketId,
  Member,
  Outcome,
  OutcomeId,
  Payout,
  Position,
  Proposal,
  Resolution,
  Scores,
  Simulation,
  Space,
  SpaceId,
  Trade,
  User,
  Username,
  Webhook,
} from '../../shared/schemas/index.ts';
import { SESSION_COOKIE } from './auth.ts';
import { ErrorResponses } from './openapiErrors.ts';
import type { Access, RouteSpec } from './routeSpec.ts';
import { ROUTES } from './routeTable.ts';

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table and the same zod
 * schemas the handlers parse with, so it cannot drift from what the server checks. Request
 * schemas are rendered as what they accept (`input`: before transforms and defaults), answers
 * as what they hold (`output`).
 */

/**
 * The objects of API.md, and the ids and times they share, as named components: every use of
 * one becomes a `$ref`.
 */
const COMPONENTS = {
  IsoTime,
  MarketId,
  OutcomeId,
  SpaceId,
  Username,
  AuditEntry,
  CalibrationBin,
  ChatIdentity,
  ChatLink,
  Claim,
  Comment,
  Community,
  Delivery,
  ErrorBody,
  Forecast,
  HistoryPoint,
  Invite,
  Market,
  Member,
  Outcome,
  Payout,
  Position,
  Proposal,
  Resolution,
  Scores,
  Simulation,
  Space,
  Trade,
  User,
  Webhook,
};

const SECURITY_SCHEMES = {
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description:
      'The session cookie set by register and login. Requests that change state with it must come from the same origin (Origin or Referer).',
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token from POST /api/me/tokens, as `Authorization: Bearer <token>`.',
  },
  slackSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Slack-Signature',
    description:
      'v0=HMAC-SHA256 of "v0:<X-Slack-Request-Timestamp>:<body>" with SLACK_SIGNING_SECRET; at most five minutes old, and once only.',
  },
  discordSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Signature-Ed25519',
    description:
      "Ed25519 over X-Signature-Timestamp + body with the application's DISCORD_PUBLIC_KEY; at most five minutes old, and once only.",
  },
} as const;

/** Who may call, as OpenAPI security requirements: `{}` makes credentials optional. */
function securityOf(access: Access): Record<string, string[]>[] {
  switch (access) {
    case 'public':
      return [{}, { session: [] }, { bearer: [] }];
    case 'user':
    case 'admin':
      return [{ session: [] }, { bearer: [] }];
    case 'slack':
      return [{ slackSignature: [] }];
    case 'discord':
      return [{ discordSignature: [] }];
    default:
      return assertNever(access);
  }
}

/** `GET /api/markets/:id/trades` → `getMarketsByIdTrades`. */
export function operationIdOf(r: Pick<RouteSpec, 'method' | 'path'>): string {
  const words = r.path
    .replace(/^\/api\//, '')
    .split(/[/.]/)
    .filter(Boolean)
    .map((w) => (w.startsWith(':') ? `by-${w.slice(1)}` : w))
    .flatMap((w) => w.split(/[-_]/));
  const camel = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return `${r.method.toLowerCase()}${camel}`;
}

/** Express's `:param` as OpenAPI's `{param}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z]+)/g, '{$1}');
}

function operationOf(r: RouteSpec, errors: ErrorResponses): ZodOpenApiOperationObject {
  // A query string is a flat object of fields: OpenAPI lists each as a parameter.
  if (r.query && !(r.query instanceof z.ZodObject)) {
    throw new Error(`${r.method} ${r.path}: its query schema must be a z.object`);
  }
  const ok: ZodOpenApiResponsesObject = {
    [`${r.okStatus}`]: r.response
      ? {
          description: r.okStatus === 201 ? 'Created' : 'OK',
          content: { [r.responseType ?? 'application/json']: { schema: r.response } },
        }
      : { description: 'No content' },
  };
  return {
    operationId: operationIdOf(r),
    summary: r.summary,
    ...(r.tags ? { tags: r.tags } : {}),
    security: securityOf(r.access),
    ...(r.params || r.query
      ? {
          requestParams: {
            ...(r.params ? { path: z.object(r.params) } : {}),
            ...(r.query instanceof z.ZodObject ? { query: r.query } : {}),
          },
        }
      : {}),
    ...(r.body
      ? {
          requestBody: {
            // Handlers read a missing JSON body as `{}`: the body is required only where `{}`
            // is not a valid one.
            required: !r.body.safeParse({}).success,
            content: { [r.bodyType ?? 'application/json']: { schema: r.body } },
          },
        }
      : {}),
    responses: { ...ok, ...errors.of(r) },
  };
}

/**
 * Objects the server builds are open: API.md lets fields be added, so a client must ignore
 * the ones it does not know. zod renders a non-strict object's output as closed
 * (`additionalProperties: false`, what parsing leaves); answers are not parsed, so that is
 * dropped. Strict request objects stay closed.
 */
function openAnswers(ctx: {
  zodSchema: { _zod: { def: { type: string; catchall?: unknown } } };
  jsonSchema: { additionalProperties?: unknown };
  io: 'input' | 'output';
}): void {
  const def = ctx.zodSchema._zod.def;
  if (ctx.io === 'output' && def.type === 'object' && def.catchall === undefined) {
    delete ctx.jsonSchema.additionalProperties;
  }
}

/** The whole document; `version` is the server's (package.json). */
export function openApiDocument(version: string, routes: RouteSpec[] = ROUTES) {
  const paths: ZodOpenApiPathsObject = {};
  const errors = new ErrorResponses();
  for (const r of routes) {
    const p = openApiPath(r.path);
    paths[p] = { ...paths[p], [r.method.toLowerCase()]: operationOf(r, errors) };
  }
  const tags = [...new Set(routes.flatMap((r) => r.tags ?? []))].map((name) => ({ name }));
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'Parity API',
        version,
        description:
          'JSON over HTTP under /api. Times are ISO-8601 in UTC, money is integer cents, probabilities are in [0, 1]. Every error is `{"error": {"code", "message", "details"}}`. The contract in prose is docs/API.md.',
      },
      servers: [{ url: '/' }],
      tags,
      paths,
      components: {
        schemas: COMPONENTS,
        responses: errors.components,
        securitySchemes: SECURITY_SCHEMES,
      },
    },
    { override: openAnswers },
  );
}
