import type {
  MarketType,
  ProposalStatus,
  SpaceRole,
  SpaceVisibility,
} from '../../shared/schemas/index.ts';
import { SqliteStatements } from './sqliteStatements.ts';
import type { Sync } from './store.ts';

/**
 * The storage port of spaces: the spaces, their members and invite links, question proposals
 * and comments. It shares the main store's database, so a membership change, an approval or a
 * comment commits (or rolls back) with its audit entry.
 */

export interface SpaceRow {
  id: string;
  name: string;
  visibility: SpaceVisibility;
  createdBy: string;
  createdAt: string;
  /** How many members it has (read only). */
  members: number;
}

export interface MemberRow {
  spaceId: string;
  userId: string;
  /** The member's username (read only). */
  username: string;
  role: SpaceRole;
  joinedAt: string;
}

export interface InviteRow {
  /** SHA-256 of the token, hex: the token itself is never stored. */
  tokenHash: string;
  spaceId: string;
  role: 'member' | 'moderator';
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
}

export interface ProposalRow {
  id: string;
  proposerId: string;
  /** The proposer's username (read only). */
  proposer: string;
  status: ProposalStatus;
  question: string;
  /** The question normalised for duplicate detection. */
  normalized: string;
  description: string;
  criteria: string;
  type: MarketType;
  outcomes: string[];
  closesAt: string;
  spaceId: string | null;
  sources: string[];
  marketId: string | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  decidedAt: string | null;
  /** The reviewer's username. */
  decidedBy: string | null;
}

export interface CommentRow {
  id: number;
  marketId: string;
  userId: string;
  /** The author's username (read only). */
  username: string;
  text: string;
  replyTo: number | null;
  createdAt: string;
  deletedAt: string | null;
  /** The author's largest holding in the market when they commented. */
  position: { outcomeId: string; shares: number } | null;
  /** The author's latest forecast in the market when they commented. */
  forecast: number[] | null;
}

export interface SpacesQueries {
  insertSpace(s: Omit<SpaceRow, 'members'>): Promise<void>;
  space(id: string): Promise<SpaceRow | undefined>;
  /** The spaces `userId` belongs to, with their role, oldest membership first. */
  spacesOfUser(userId: string): Promise<(SpaceRow & { role: SpaceRole })[]>;
  /** Every space, oldest first (admins). */
  allSpaces(): Promise<SpaceRow[]>;
  membershipsOf(userId: string): Promise<{ spaceId: string; role: SpaceRole }[]>;
  member(spaceId: string, userId: string): Promise<MemberRow | undefined>;
  /** The space's members, owners first, then moderators, then by join time. */
  membersOf(spaceId: string): Promise<MemberRow[]>;
  /** Adds the member, or changes their role. */
  saveMember(m: Omit<MemberRow, 'username'>): Promise<void>;
  deleteMember(spaceId: string, userId: string): Promise<boolean>;
  insertInvite(i: Omit<InviteRow, 'uses'>): Promise<void>;
  /** An invite that can still be used at `now`. */
  invite(tokenHash: string, now: string): Promise<InviteRow | undefined>;
  /** Counts one use of an invite that can still be used at `now`; undefined when it cannot. */
  spendInvite(tokenHash: string, now: string): Promise<InviteRow | undefined>;

  insertProposal(p: Omit<ProposalRow, 'proposer'>): Promise<void>;
  proposal(id: string): Promise<ProposalRow | undefined>;
  /** The proposal, its row locked until the transaction ends (PostgreSQL). */
  proposalForUpdate(id: string): Promise<ProposalRow | undefined>;
  saveProposal(p: Omit<ProposalRow, 'proposer'>): Promise<void>;
  /** Proposals, newest first, of one status or all. */
  proposals(status: ProposalStatus | undefined, limit: number): Promise<ProposalRow[]>;
  /**
   * Proposals one caller may see, newest first: all of them (`all`), else their own and those
   * of the spaces they review.
   */
  proposalsFor(q: ProposalFilter, limit: number): Promise<ProposalRow[]>;
  /** Pending proposals with this normalised question. */
  pendingProposalsLike(normalized: string): Promise<ProposalRow[]>;
  /** How many proposals a user made at or after `since` (the rate limit). */
  proposalsSince(userId: string, since: string): Promise<number>;

  insertComment(c: Omit<CommentRow, 'id' | 'username' | 'deletedAt'>): Promise<number>;
  comment(id: number): Promise<CommentRow | undefined>;
  /** A market's comments, oldest first. */
  commentsOfMarket(marketId: string): Promise<CommentRow[]>;
  /** Deletes a comment's text, keeping its place in the thread; false if it was deleted. */
  deleteComment(id: number, at: string): Promise<boolean>;
}

export interface ProposalFilter {
  status?: ProposalStatus;
  /** Only proposals after this one in the list's order (created_at, then id, both descending). */
  before?: { at: string; id: string };
  all: boolean;
  proposerId: string | null;
  spaceIds: readonly string[];
}

/** The SQL (with `?` placeholders) and arguments of `proposalsFor`. */
export function proposalsForSql(q: ProposalFilter, limit: number): [string, unknown[]] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.status) {
    where.push('p.status = ?');
    args.push(q.status);
  }
  if (q.before) {
    where.push('(p.created_at < ? OR (p.created_at = ? AND p.id < ?))');
    args.push(q.before.at, q.before.at, q.before.id);
  }
  if (!q.all) {
    const who: string[] = [];
    if (q.proposerId) {
      who.push('p.proposer_id = ?');
      args.push(q.proposerId);
    }
    if (q.spaceIds.length) {
      who.push(`p.space_id IN (${q.spaceIds.map(() => '?').join(', ')})`);
      args.push(...q.spaceIds);
    }
    where.push(who.length ? `(${who.join(' OR ')})` : '1 = 0');
  }
  args.push(limit);
  return [
    `SELECT p.*, u.username AS proposer FROM proposals p JOIN users u ON u.id = p.proposer_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY p.created_at DESC, p.id DESC LIMIT ?`,
    args,
  ];
}

type Row = Record<string, unknown>;

const int = (v: unknown) => Number(v);
const strOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));

export function toSpace(r: Row): SpaceRow {
  return {
    id: String(r.id),
    name: String(r.name),
    visibility: r.visibility as SpaceVisibility,
    createdBy: String(r.created_by),
    createdAt: String(r.created_at),
    members: int(r.members),
  };
}

export function toMember(r: Row): MemberRow {
  return {
    spaceId: String(r.space_id),
    userId: String(r.user_id),
    username: String(r.username),
    role: r.role as SpaceRole,
    joinedAt: String(r.joined_at),
  };
}

export function toInvite(r: Row): InviteRow {
  return {
    tokenHash: String(r.token_hash),
    spaceId: String(r.space_id),
    role: r.role as InviteRow['role'],
    createdBy: String(r.created_by),
    createdAt: String(r.created_at),
    expiresAt: strOrNull(r.expires_at),
    maxUses: r.max_uses === null || r.max_uses === undefined ? null : int(r.max_uses),
    uses: int(r.uses),
  };
}

export function toProposal(r: Row): ProposalRow {
  return {
    id: String(r.id),
    proposerId: String(r.proposer_id),
    proposer: String(r.proposer),
    status: r.status as ProposalStatus,
    question: String(r.question),
    normalized: String(r.normalized),
    description: String(r.description),
    criteria: String(r.criteria),
    type: r.type as MarketType,
    outcomes: JSON.parse(String(r.outcomes)),
    closesAt: String(r.closes_at),
    spaceId: strOrNull(r.space_id),
    sources: JSON.parse(String(r.sources)),
    marketId: strOrNull(r.market_id),
    reason: strOrNull(r.reason),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
    decidedAt: strOrNull(r.decided_at),
    decidedBy: strOrNull(r.decided_by),
  };
}

export function toComment(r: Row): CommentRow {
  return {
    id: int(r.id),
    marketId: String(r.market_id),
    userId: String(r.user_id),
    username: String(r.username),
    text: String(r.text),
    replyTo: r.reply_to === null || r.reply_to === undefined ? null : int(r.reply_to),
    createdAt: String(r.created_at),
    deletedAt: strOrNull(r.deleted_at),
    position:
      r.position_outcome === null || r.position_outcome === undefined
        ? null
        : { outcomeId: String(r.position_outcome), shares: Number(r.position_shares) },
    forecast: r.forecast ? JSON.parse(String(r.forecast)) : null,
  };
}

/** The proposals table's columns, in the order of `proposalArgs`. */
const PROPOSAL_COLUMNS = [
  'id',
  'proposer_id',
  'status',
  'question',
  'normalized',
  'description',
  'criteria',
  'type',
  'outcomes',
  'closes_at',
  'space_id',
  'sources',
  'market_id',
  'reason',
  'created_at',
  'updated_at',
  'decided_at',
  'decided_by',
] as const;

/** SQL both engines share (placeholders are written `?` and numbered for PostgreSQL). */
export const SPACES_SQL = {
  space: `SELECT s.*, (SELECT COUNT(*) FROM space_members m WHERE m.space_id = s.id) AS members
    FROM spaces s WHERE s.id = ?`,
  spacesOfUser: `SELECT s.*, mm.role,
      (SELECT COUNT(*) FROM space_members m WHERE m.space_id = s.id) AS members
    FROM space_members mm JOIN spaces s ON s.id = mm.space_id
    WHERE mm.user_id = ? ORDER BY mm.joined_at, s.id`,
  allSpaces: `SELECT s.*, (SELECT COUNT(*) FROM space_members m WHERE m.space_id = s.id) AS members
    FROM spaces s ORDER BY s.created_at, s.id`,
  membershipsOf: 'SELECT space_id, role FROM space_members WHERE user_id = ?',
  member: `SELECT m.*, u.username FROM space_members m JOIN users u ON u.id = m.user_id
    WHERE m.space_id = ? AND m.user_id = ?`,
  membersOf: `SELECT m.*, u.username FROM space_members m JOIN users u ON u.id = m.user_id
    WHERE m.space_id = ?
    ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, m.joined_at, u.username`,
  saveMember: `INSERT INTO space_members (space_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (space_id, user_id) DO UPDATE SET role = excluded.role`,
  deleteMember: 'DELETE FROM space_members WHERE space_id = ? AND user_id = ?',
  insertInvite: `INSERT INTO space_invites
    (token_hash, space_id, role, created_by, created_at, expires_at, max_uses, uses)
    VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
  invite: `SELECT * FROM space_invites WHERE token_hash = ?
    AND (expires_at IS NULL OR expires_at > ?) AND (max_uses IS NULL OR uses < max_uses)`,
  spendInvite: `UPDATE space_invites SET uses = uses + 1 WHERE token_hash = ?
    AND (expires_at IS NULL OR expires_at > ?) AND (max_uses IS NULL OR uses < max_uses)
    RETURNING *`,
  insertProposal: `INSERT INTO proposals (${PROPOSAL_COLUMNS.join(', ')})
    VALUES (${PROPOSAL_COLUMNS.map(() => '?').join(', ')})`,
  /** Every column but the id, in `proposalArgs` order after the id, then the id. */
  saveProposal: `UPDATE proposals SET (${PROPOSAL_COLUMNS.slice(1).join(', ')}) =
    (${PROPOSAL_COLUMNS.slice(1)
      .map(() => '?')
      .join(', ')}) WHERE id = ?`,
  proposal: `SELECT p.*, u.username AS proposer FROM proposals p
    JOIN users u ON u.id = p.proposer_id WHERE p.id = ?`,
  proposalsAll: `SELECT p.*, u.username AS proposer FROM proposals p
    JOIN users u ON u.id = p.proposer_id ORDER BY p.created_at DESC, p.id DESC LIMIT ?`,
  proposalsOfStatus: `SELECT p.*, u.username AS proposer FROM proposals p
    JOIN users u ON u.id = p.proposer_id WHERE p.status = ?
    ORDER BY p.created_at DESC, p.id DESC LIMIT ?`,
  pendingLike: `SELECT p.*, u.username AS proposer FROM proposals p
    JOIN users u ON u.id = p.proposer_id WHERE p.normalized = ? AND p.status = 'pending'
    ORDER BY p.created_at, p.id`,
  proposalsSince: 'SELECT COUNT(*) AS n FROM proposals WHERE proposer_id = ? AND created_at >= ?',
  insertComment: `INSERT INTO comments (market_id, user_id, text, reply_to, created_at,
    position_outcome, position_shares, forecast) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  comment: `SELECT c.*, u.username FROM comments c JOIN users u ON u.id = c.user_id
    WHERE c.id = ?`,
  commentsOfMarket: `SELECT c.*, u.username FROM comments c JOIN users u ON u.id = c.user_id
    WHERE c.market_id = ? ORDER BY c.id`,
  deleteComment: `UPDATE comments SET text = '', deleted_at = ? WHERE id = ? AND deleted_at IS NULL`,
} as const;

/** A proposal's values for `saveProposal`: all but the id, then the id. */
export function updateArgs(p: Omit<ProposalRow, 'proposer'>): unknown[] {
  const [id, ...rest] = proposalArgs(p);
  return [...rest, id];
}

/** The arguments of `insertComment`. */
export function commentArgs(c: Omit<CommentRow, 'id' | 'username' | 'deletedAt'>): unknown[] {
  return [
    c.marketId,
    c.userId,
    c.text,
    c.replyTo,
    c.createdAt,
    c.position?.outcomeId ?? null,
    c.position?.shares ?? null,
    c.forecast ? JSON.stringify(c.forecast) : null,
  ];
}

/** A proposal's values in PROPOSAL_COLUMNS order (for `insertProposal`). */
export function proposalArgs(p: Omit<ProposalRow, 'proposer'>): unknown[] {
  return [
    p.id,
    p.proposerId,
    p.status,
    p.question,
    p.normalized,
    p.description,
    p.criteria,
    p.type,
    JSON.stringify(p.outcomes),
    p.closesAt,
    p.spaceId,
    JSON.stringify(p.sources),
    p.marketId,
    p.reason,
    p.createdAt,
    p.updatedAt,
    p.decidedAt,
    p.decidedBy,
  ];
}

/** The SQLite implementation, over the main store's database handle (synchronous). */
export class SqliteSpacesQueries extends SqliteStatements implements Sync<SpacesQueries> {
  insertSpace(s: Omit<SpaceRow, 'members'>): void {
    this.s(
      'INSERT INTO spaces (id, name, visibility, created_by, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(s.id, s.name, s.visibility, s.createdBy, s.createdAt);
  }
  space(id: string): SpaceRow | undefined {
    const r = this.s(SPACES_SQL.space).get(id) as Row | undefined;
    return r ? toSpace(r) : undefined;
  }
  spacesOfUser(userId: string): (SpaceRow & { role: SpaceRole })[] {
    return (this.s(SPACES_SQL.spacesOfUser).all(userId) as Row[]).map((r) => ({
      ...toSpace(r),
      role: r.role as SpaceRole,
    }));
  }
  allSpaces(): SpaceRow[] {
    return (this.s(SPACES_SQL.allSpaces).all() as Row[]).map(toSpace);
  }
  membershipsOf(userId: string): { spaceId: string; role: SpaceRole }[] {
    return (this.s(SPACES_SQL.membershipsOf).all(userId) as Row[]).map((r) => ({
      spaceId: String(r.space_id),
      role: r.role as SpaceRole,
    }));
  }
  member(spaceId: string, userId: string): MemberRow | undefined {
    const r = this.s(SPACES_SQL.member).get(spaceId, userId) as Row | undefined;
    return r ? toMember(r) : undefined;
  }
  membersOf(spaceId: string): MemberRow[] {
    return (this.s(SPACES_SQL.membersOf).all(spaceId) as Row[]).map(toMember);
  }
  saveMember(m: Omit<MemberRow, 'username'>): void {
    this.s(SPACES_SQL.saveMember).run(m.spaceId, m.userId, m.role, m.joinedAt);
  }
  deleteMember(spaceId: string, userId: string): boolean {
    return this.s(SPACES_SQL.deleteMember).run(spaceId, userId).changes === 1;
  }
  insertInvite(i: Omit<InviteRow, 'uses'>): void {
    this.s(SPACES_SQL.insertInvite).run(
      i.tokenHash,
      i.spaceId,
      i.role,
      i.createdBy,
      i.createdAt,
      i.expiresAt,
      i.maxUses,
    );
  }
  invite(tokenHash: string, now: string): InviteRow | undefined {
    const r = this.s(SPACES_SQL.invite).get(tokenHash, now) as Row | undefined;
    return r ? toInvite(r) : undefined;
  }
  spendInvite(tokenHash: string, now: string): InviteRow | undefined {
    const r = this.s(SPACES_SQL.spendInvite).get(tokenHash, now) as Row | undefined;
    return r ? toInvite(r) : undefined;
  }

  insertProposal(p: Omit<ProposalRow, 'proposer'>): void {
    this.s(SPACES_SQL.insertProposal).run(...proposalArgs(p));
  }
  proposal(id: string): ProposalRow | undefined {
    const r = this.s(SPACES_SQL.proposal).get(id) as Row | undefined;
    return r ? toProposal(r) : undefined;
  }
  proposalForUpdate(id: string): ProposalRow | undefined {
    return this.proposal(id);
  }
  saveProposal(p: Omit<ProposalRow, 'proposer'>): void {
    this.s(SPACES_SQL.saveProposal).run(...updateArgs(p));
  }
  proposals(status: ProposalStatus | undefined, limit: number): ProposalRow[] {
    const rows = status
      ? this.s(SPACES_SQL.proposalsOfStatus).all(status, limit)
      : this.s(SPACES_SQL.proposalsAll).all(limit);
    return (rows as Row[]).map(toProposal);
  }
  proposalsFor(q: ProposalFilter, limit: number): ProposalRow[] {
    const [sql, args] = proposalsForSql(q, limit);
    // Not cached: the IN list's length varies.
    return (this.db.prepare(sql).all(...args) as Row[]).map(toProposal);
  }
  pendingProposalsLike(normalized: string): ProposalRow[] {
    return (this.s(SPACES_SQL.pendingLike).all(normalized) as Row[]).map(toProposal);
  }
  proposalsSince(userId: string, since: string): number {
    return int((this.s(SPACES_SQL.proposalsSince).get(userId, since) as Row).n);
  }

  insertComment(c: Omit<CommentRow, 'id' | 'username' | 'deletedAt'>): number {
    const r = this.s(SPACES_SQL.insertComment).get(...commentArgs(c)) as Row;
    return int(r.id);
  }
  comment(id: number): CommentRow | undefined {
    const r = this.s(SPACES_SQL.comment).get(id) as Row | undefined;
    return r ? toComment(r) : undefined;
  }
  commentsOfMarket(marketId: string): CommentRow[] {
    return (this.s(SPACES_SQL.commentsOfMarket).all(marketId) as Row[]).map(toComment);
  }
  deleteComment(id: number, at: string): boolean {
    return this.s(SPACES_SQL.deleteComment).run(at, id).changes === 1;
  }
}
