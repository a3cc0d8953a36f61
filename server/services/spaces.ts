import { randomBytes } from 'node:crypto';
import { DomainError } from '../../shared/errors.ts';
import type {
  CreateInviteRequest,
  CreateSpaceRequest,
  Invite,
  InvitePreviewResponse,
  Member,
  Space,
  SpaceRole,
} from '../../shared/schemas/index.ts';
import type { MemberRow, SpaceRow } from '../store/spacesStore.ts';
import type { Tx, UserRow } from '../store/store.ts';
import { RANK, requireRole, requireVisibleSpace, type Viewer } from './access.ts';
import { randomId, tokenHash } from './accounts.ts';
import { type Ctx, inTransaction, isoNow } from './context.ts';

/** Spaces: a team's own corner of Parity, public or private, with owners, moderators, members. */

export function spaceView(s: SpaceRow, role?: SpaceRole): Space {
  const out: Space = {
    id: s.id,
    name: s.name,
    visibility: s.visibility,
    createdAt: s.createdAt,
    members: s.members,
  };
  if (role) out.role = role;
  return out;
}

export function memberView(m: MemberRow): Member {
  return { username: m.username, role: m.role, joinedAt: m.joinedAt };
}

function noSpace(id: string): DomainError {
  return new DomainError('not_found', `no space ${id}`);
}

/** Any user creates a space and is its owner. */
export async function createSpace(
  ctx: Ctx,
  user: UserRow,
  req: CreateSpaceRequest,
): Promise<Space> {
  return inTransaction(ctx, async (tx, events) => {
    const at = isoNow(ctx);
    const id = randomId('sp_');
    await tx.insertSpace({
      id,
      name: req.name,
      visibility: req.visibility,
      createdBy: user.id,
      createdAt: at,
    });
    await tx.saveMember({ spaceId: id, userId: user.id, role: 'owner', joinedAt: at });
    await tx.insertAudit({
      at,
      actor: user.username,
      action: 'space.create',
      marketId: null,
      detail: { spaceId: id, name: req.name, visibility: req.visibility },
    });
    // The owner's sockets on the feed follow the new space's markets from now on.
    events.push({ type: 'space.joined', spaceId: id, userId: user.id });
    return spaceView((await tx.space(id))!, 'owner');
  });
}

/** The caller's spaces; an admin's list holds every space. */
export async function listSpaces(ctx: Ctx, v: Viewer): Promise<Space[]> {
  if (!v.user) return [];
  const mine = await ctx.store.spacesOfUser(v.user.id);
  const out = mine.filter((s) => !v.scope || s.id === v.scope).map((s) => spaceView(s, s.role));
  if (v.admin) {
    const seen = new Set(out.map((s) => s.id));
    for (const s of await ctx.store.allSpaces()) if (!seen.has(s.id)) out.push(spaceView(s));
  }
  return out;
}

export async function getSpace(ctx: Ctx, v: Viewer, id: string): Promise<Space> {
  await requireVisibleSpace(ctx.store, v, id);
  const s = await ctx.store.space(id);
  if (!s) throw noSpace(id);
  return spaceView(s, v.roles.get(id));
}

const INVITE_DAYS = 7;

/**
 * An invite link (owners and moderators; only an owner invites moderators). It expires after
 * `expiresAt` (default a week) and works `maxUses` times (default unlimited).
 */
export async function createInvite(
  ctx: Ctx,
  v: Viewer,
  spaceId: string,
  req: CreateInviteRequest,
  baseUrl: string,
): Promise<Invite> {
  const role = req.role ?? 'member';
  await requireRole(ctx.store, v, spaceId, role === 'moderator' ? 'owner' : 'moderator');
  const now = ctx.now();
  const expiresAt = req.expiresAt
    ? new Date(req.expiresAt)
    : new Date(now.getTime() + INVITE_DAYS * 86_400_000);
  if (expiresAt.getTime() <= now.getTime()) {
    throw new DomainError('validation_failed', 'expiresAt must be in the future', {
      field: 'expiresAt',
    });
  }
  const token = randomBytes(24).toString('base64url');
  const maxUses = req.maxUses ?? null;
  await inTransaction(ctx, async (tx) => {
    await tx.insertInvite({
      tokenHash: tokenHash(token),
      spaceId,
      role,
      createdBy: v.user!.id,
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
      maxUses,
    });
    await tx.insertAudit({
      at: now.toISOString(),
      actor: v.user!.username,
      action: 'space.invite',
      marketId: null,
      detail: { spaceId, role, expiresAt: expiresAt.toISOString(), maxUses },
    });
  });
  return {
    token,
    url: `${baseUrl}/invite/${token}`,
    role,
    expiresAt: expiresAt.toISOString(),
    maxUses,
  };
}

function inviteGone(): DomainError {
  return new DomainError('not_found', 'this invite link does not exist, has expired or is used up');
}

/** What an invite would join (anyone holding the link may ask). */
export async function previewInvite(ctx: Ctx, token: string): Promise<InvitePreviewResponse> {
  const inv = await ctx.store.invite(tokenHash(token), isoNow(ctx));
  const s = inv && (await ctx.store.space(inv.spaceId));
  if (!inv || !s) throw inviteGone();
  return { space: { id: s.id, name: s.name, visibility: s.visibility }, role: inv.role };
}

/**
 * Joins the space an invite names. A member who accepts again keeps the higher of their role
 * and the invite's, and does not use the invite up.
 */
export async function acceptInvite(ctx: Ctx, user: UserRow, token: string): Promise<Space> {
  return inTransaction(ctx, async (tx, events) => {
    const at = isoNow(ctx);
    const inv = await tx.invite(tokenHash(token), at);
    if (!inv) throw inviteGone();
    const current = await tx.member(inv.spaceId, user.id);
    if (current && RANK[current.role] >= RANK[inv.role]) {
      return spaceView((await tx.space(inv.spaceId))!, current.role);
    }
    if (!(await tx.spendInvite(inv.tokenHash, at))) throw inviteGone();
    await tx.saveMember({
      spaceId: inv.spaceId,
      userId: user.id,
      role: inv.role,
      joinedAt: current?.joinedAt ?? at,
    });
    await tx.insertAudit({
      at,
      actor: user.username,
      action: current ? 'space.role' : 'space.join',
      marketId: null,
      detail: { spaceId: inv.spaceId, role: inv.role, via: 'invite' },
    });
    if (!current) events.push({ type: 'space.joined', spaceId: inv.spaceId, userId: user.id });
    return spaceView((await tx.space(inv.spaceId))!, inv.role);
  });
}

export async function listMembers(ctx: Ctx, v: Viewer, spaceId: string): Promise<Member[]> {
  await requireVisibleSpace(ctx.store, v, spaceId);
  if (!(await ctx.store.space(spaceId))) throw noSpace(spaceId);
  return (await ctx.store.membersOf(spaceId)).map(memberView);
}

async function requireMember(tx: Tx, spaceId: string, username: string): Promise<MemberRow> {
  const u = await tx.userByUsername(username);
  const m = u && (await tx.member(spaceId, u.id));
  if (!m) throw new DomainError('not_found', `${username} is not a member of this space`);
  return m;
}

/** Refuses a change that would leave the space without an owner. */
async function keepAnOwner(tx: Tx, m: MemberRow, newRole: SpaceRole | null): Promise<void> {
  if (m.role !== 'owner' || newRole === 'owner') return;
  const owners = (await tx.membersOf(m.spaceId)).filter((x) => x.role === 'owner');
  if (owners.length <= 1) {
    throw new DomainError('conflict', 'a space needs an owner: make another member owner first', {
      reason: 'last_owner',
    });
  }
}

/** Changes a member's role (owners). */
export async function changeRole(
  ctx: Ctx,
  v: Viewer,
  spaceId: string,
  username: string,
  role: SpaceRole,
): Promise<Member> {
  await requireRole(ctx.store, v, spaceId, 'owner');
  return inTransaction(ctx, async (tx) => {
    const m = await requireMember(tx, spaceId, username);
    if (m.role === role) return memberView(m);
    await keepAnOwner(tx, m, role);
    await tx.saveMember({ ...m, role });
    await tx.insertAudit({
      at: isoNow(ctx),
      actor: v.user?.username ?? 'system',
      action: 'space.role',
      marketId: null,
      detail: { spaceId, username, from: m.role, to: role },
    });
    return memberView({ ...m, role });
  });
}

/**
 * Removes a member (owners), or the caller leaves (anyone, for themselves). Their access ends
 * at once: the next request answers 404, and their sockets leave the space's rooms.
 */
export async function removeMember(
  ctx: Ctx,
  v: Viewer,
  spaceId: string,
  username: string,
): Promise<void> {
  const self = v.user?.username === username;
  if (self) await requireRole(ctx.store, v, spaceId, 'member');
  else await requireRole(ctx.store, v, spaceId, 'owner');
  await inTransaction(ctx, async (tx, events) => {
    const m = await requireMember(tx, spaceId, username);
    await keepAnOwner(tx, m, null);
    await tx.deleteMember(spaceId, m.userId);
    await tx.insertAudit({
      at: isoNow(ctx),
      actor: v.user?.username ?? 'system',
      action: self ? 'space.leave' : 'space.remove',
      marketId: null,
      detail: { spaceId, username, role: m.role },
    });
    events.push({ type: 'space.left', spaceId, userId: m.userId });
  });
}
