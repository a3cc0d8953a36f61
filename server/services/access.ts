import { DomainError } from '../../shared/errors.ts';
import type { SpaceRole, SpaceVisibility } from '../../shared/schemas/index.ts';
import type { MarketRow, Queries, Tx, UserRow } from '../store/store.ts';

/**
 * Who may see what. Every read of a market (and of anything under it: trades, forecasts,
 * history, scores, comments, embeds, socket rooms, feed events, webhook posts) goes through a
 * `Viewer`: a private space's markets exist only for its members (and unscoped admins); to
 * anyone else they answer exactly as a market that does not exist (404 `not_found`).
 *
 * A viewer's memberships are read once, when it is made (per request, per socket event), so a
 * member removed from a space loses access on their next request.
 */
export interface Viewer {
  readonly user: UserRow | undefined;
  /** Admins see every space, unless they came in with a token scoped to one. */
  readonly admin: boolean;
  /** The caller's spaces and roles (only the scoped space for a scoped token). */
  readonly roles: ReadonlyMap<string, SpaceRole>;
  /** A space a scoped API token confines the caller to. */
  readonly scope: string | undefined;
  /** The spaces' visibilities this viewer has looked up. */
  readonly visibility: Map<string, SpaceVisibility>;
  /** A market readable through a signed embed URL (the embed page of a private market). */
  readonly embedMarketId?: string;
}

export const ANONYMOUS: Viewer = {
  user: undefined,
  admin: false,
  roles: new Map(),
  scope: undefined,
  visibility: new Map(),
};

/** The viewer for a signed-in user (or nobody), with their memberships read now. */
export async function viewerOf(
  q: Pick<Tx, 'membershipsOf'>,
  user: UserRow | undefined,
  embedMarketId?: string,
): Promise<Viewer> {
  if (!user) return { ...ANONYMOUS, visibility: new Map(), embedMarketId };
  const scope = user.scopeSpaceId;
  const roles = new Map<string, SpaceRole>();
  for (const m of await q.membershipsOf(user.id)) {
    if (!scope || m.spaceId === scope) roles.set(m.spaceId, m.role);
  }
  return {
    user,
    admin: user.role === 'admin' && !scope,
    roles,
    scope,
    visibility: new Map(),
    embedMarketId,
  };
}

/** The viewer of the system itself (the clock, the seeder, the outbox): sees everything. */
export const SYSTEM: Viewer = {
  user: undefined,
  admin: true,
  roles: new Map(),
  scope: undefined,
  visibility: new Map(),
};

type SpaceReader = { space: Tx['space'] };

async function visibilityOf(
  q: SpaceReader,
  v: Viewer,
  spaceId: string,
): Promise<SpaceVisibility | undefined> {
  let vis = v.visibility.get(spaceId);
  if (!vis) {
    vis = (await q.space(spaceId))?.visibility;
    if (vis) v.visibility.set(spaceId, vis);
  }
  return vis;
}

/** Whether the viewer may see a space (its page, its markets, its leaderboard). */
export async function canSeeSpace(q: SpaceReader, v: Viewer, spaceId: string): Promise<boolean> {
  if (v.admin || v.roles.has(spaceId)) return true;
  return (await visibilityOf(q, v, spaceId)) === 'public';
}

/** Whether the viewer may see a market and everything under it. */
export async function canSeeMarket(
  q: SpaceReader,
  v: Viewer,
  m: Pick<MarketRow, 'id' | 'spaceId'>,
): Promise<boolean> {
  if (!m.spaceId) return true;
  if (v.embedMarketId === m.id) return true;
  return canSeeSpace(q, v, m.spaceId);
}

/** The markets of `rows` the viewer may see, in their order. */
export async function visibleOnly<T extends Pick<MarketRow, 'id' | 'spaceId'>>(
  q: SpaceReader,
  v: Viewer,
  rows: readonly T[],
): Promise<T[]> {
  const out: T[] = [];
  for (const m of rows) if (await canSeeMarket(q, v, m)) out.push(m);
  return out;
}

export function noMarket(id: string): DomainError {
  return new DomainError('not_found', `no market ${id}`);
}

/** Loads a market the viewer may see, or throws not_found, as for a market that is not there. */
export async function requireVisibleMarket(
  q: Pick<Queries, 'market'> & SpaceReader,
  v: Viewer,
  id: string,
): Promise<MarketRow> {
  const m = await q.market(id);
  if (!m || !(await canSeeMarket(q, v, m))) throw noMarket(id);
  return m;
}

/** Throws not_found unless the viewer may see the space. */
export async function requireVisibleSpace(
  q: SpaceReader,
  v: Viewer,
  spaceId: string,
): Promise<void> {
  if (!(await canSeeSpace(q, v, spaceId)))
    throw new DomainError('not_found', `no space ${spaceId}`);
}

/**
 * A visibility check a service runs on the market it has loaded anyway (a trade locks it): not
 * found unless the caller may see it. The viewer is only read for a space's market, so the
 * public site's hot paths (trades, forecasts) pay nothing for it.
 */
export type Gate = (m: Pick<MarketRow, 'id' | 'spaceId'>) => Promise<void>;

export function gate(q: SpaceReader, viewer: () => Promise<Viewer>): Gate {
  return async (m) => {
    if (m.spaceId && !(await canSeeMarket(q, await viewer(), m))) throw noMarket(m.id);
  };
}

/** Roles in order: each holds every power of those below it. */
export const RANK: Record<SpaceRole, number> = { member: 1, moderator: 2, owner: 3 };

/**
 * Whether the viewer holds at least `role` in the space; admins hold every role. Callers check
 * `canSeeSpace` first, so that a non-member of a private space gets 404, not 403.
 */
export function hasRole(v: Viewer, spaceId: string, role: SpaceRole): boolean {
  if (v.admin) return true;
  const r = v.roles.get(spaceId);
  return r !== undefined && RANK[r] >= RANK[role];
}

/** 404 for a private space the viewer cannot see, 403 for one they can but lack the role in. */
export async function requireRole(
  q: SpaceReader,
  v: Viewer,
  spaceId: string,
  role: SpaceRole,
): Promise<void> {
  await requireVisibleSpace(q, v, spaceId);
  if (!v.user && !v.admin) throw new DomainError('unauthenticated', 'sign in first');
  if (!hasRole(v, spaceId, role)) {
    throw new DomainError('forbidden', `only the space's ${role}s and above may do this`, {
      role,
    });
  }
}
