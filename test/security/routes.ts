import type { Express } from 'express';
import type { RouteSpec } from '../../server/http/routeSpec.ts';

/**
 * The route table lives with the server (server/http/routeTable.ts), which generates
 * GET /api/openapi.json from it; the tests read the same table. Re-exported here under the
 * names the suites have always imported, with the helpers only tests need.
 */
export type { Access, RouteSpec } from '../../server/http/routeSpec.ts';
export {
  ChatLinkParams,
  DiscordReply,
  ROUTES,
  SlackInteractionReply,
  SlackReply,
  TokenCreated,
  TokenRequest,
  WebhookId,
} from '../../server/http/routeTable.ts';

import { ROUTES } from '../../server/http/routeTable.ts';

export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method} ${r.path}`;

export function route(key: string): RouteSpec {
  const r = ROUTES.find((x) => routeKey(x) === key);
  if (!r) throw new Error(`no route ${key} in the table`);
  return r;
}

/** Fills a path's parameters: `/api/markets/:id` with `{id: 'x'}` → `/api/markets/x`. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([a-z]+)/gi, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${path}`);
    return v;
  });
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  matchers?: ((path: string) => unknown)[];
}

/**
 * The API routes Express really serves, as `METHOD /api/path`, read from the router stack
 * (Express 5: each `Router` is a layer whose handle has its own stack).
 */
export function expressApiRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all')
            out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
        }
      } else if (layer.handle?.stack) {
        // A mounted router: the API one answers under /api; nested ones have no path of their own.
        const mountedAtApi = prefix === '' && Boolean(layer.matchers?.[0]?.('/api/health'));
        walk(layer.handle.stack, mountedAtApi ? '/api' : prefix);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out.filter((r) => r.includes(' /api/')).sort();
}
