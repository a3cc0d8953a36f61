import type { ProposalStatus, SpaceRole } from '../../../shared/schemas/index.ts';
import {
  type CommentRow,
  commentArgs,
  type InviteRow,
  type MemberRow,
  type ProposalFilter,
  type ProposalRow,
  proposalArgs,
  proposalsForSql,
  SPACES_SQL,
  type SpaceRow,
  type SpacesQueries,
  toComment,
  toInvite,
  toMember,
  toProposal,
  toSpace,
  updateArgs,
} from '../spacesStore.ts';
import { PgChatQueries } from './pgChat.ts';

/** `?` placeholders numbered for PostgreSQL ($1, $2, …); the shared SQL has no `?` in strings. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const SQL = Object.fromEntries(
  Object.entries(SPACES_SQL).map(([k, v]) => [k, numbered(v)]),
) as Record<keyof typeof SPACES_SQL, string>;

/**
 * Spaces, proposals and comments over PostgreSQL, with the semantics of `SqliteSpacesQueries`.
 * A base of `PgQueries`, which adds the rest of the port.
 */
export class PgSpacesQueries extends PgChatQueries implements SpacesQueries {
  async insertSpace(s: Omit<SpaceRow, 'members'>): Promise<void> {
    await this.write(
      'INSERT INTO spaces (id, name, visibility, created_by, created_at) VALUES ($1, $2, $3, $4, $5)',
      [s.id, s.name, s.visibility, s.createdBy, s.createdAt],
    );
  }
  async space(id: string): Promise<SpaceRow | undefined> {
    const r = await this.one(SQL.space, [id]);
    return r ? toSpace(r) : undefined;
  }
  async spacesOfUser(userId: string): Promise<(SpaceRow & { role: SpaceRole })[]> {
    return (await this.all(SQL.spacesOfUser, [userId])).map((r) => ({
      ...toSpace(r),
      role: r.role as SpaceRole,
    }));
  }
  async allSpaces(): Promise<SpaceRow[]> {
    return (await this.all(SQL.allSpaces)).map(toSpace);
  }
  async membershipsOf(userId: string): Promise<{ spaceId: string; role: SpaceRole }[]> {
    return (await this.all(SQL.membershipsOf, [userId])).map((r) => ({
      spaceId: String(r.space_id),
      role: r.role as SpaceRole,
    }));
  }
  async member(spaceId: string, userId: string): Promise<MemberRow | undefined> {
    const r = await this.one(SQL.member, [spaceId, userId]);
    return r ? toMember(r) : undefined;
  }
  async membersOf(spaceId: string): Promise<MemberRow[]> {
    return (await this.all(SQL.membersOf, [spaceId])).map(toMember);
  }
  async saveMember(m: Omit<MemberRow, 'username'>): Promise<void> {
    await this.write(SQL.saveMember, [m.spaceId, m.userId, m.role, m.joinedAt]);
  }
  async deleteMember(spaceId: string, userId: string): Promise<boolean> {
    return (await this.run(SQL.deleteMember, [spaceId, userId])) === 1;
  }
  async insertInvite(i: Omit<InviteRow, 'uses'>): Promise<void> {
    await this.write(SQL.insertInvite, [
      i.tokenHash,
      i.spaceId,
      i.role,
      i.createdBy,
      i.createdAt,
      i.expiresAt,
      i.maxUses,
    ]);
  }
  async invite(tokenHash: string, now: string): Promise<InviteRow | undefined> {
    const r = await this.one(SQL.invite, [tokenHash, now]);
    return r ? toInvite(r) : undefined;
  }
  async spendInvite(tokenHash: string, now: string): Promise<InviteRow | undefined> {
    const r = await this.one(SQL.spendInvite, [tokenHash, now]);
    return r ? toInvite(r) : undefined;
  }

  async insertProposal(p: Omit<ProposalRow, 'proposer'>): Promise<void> {
    await this.write(SQL.insertProposal, proposalArgs(p));
  }
  async proposal(id: string): Promise<ProposalRow | undefined> {
    const r = await this.one(SQL.proposal, [id]);
    return r ? toProposal(r) : undefined;
  }
  async proposalForUpdate(id: string): Promise<ProposalRow | undefined> {
    const r = await this.one(`${SQL.proposal} FOR UPDATE OF p`, [id]);
    return r ? toProposal(r) : undefined;
  }
  async saveProposal(p: Omit<ProposalRow, 'proposer'>): Promise<void> {
    await this.write(SQL.saveProposal, updateArgs(p));
  }
  async proposals(status: ProposalStatus | undefined, limit: number): Promise<ProposalRow[]> {
    const rows = status
      ? await this.all(SQL.proposalsOfStatus, [status, limit])
      : await this.all(SQL.proposalsAll, [limit]);
    return rows.map(toProposal);
  }
  async proposalsFor(q: ProposalFilter, limit: number): Promise<ProposalRow[]> {
    const [sql, args] = proposalsForSql(q, limit);
    return (await this.all(numbered(sql), args)).map(toProposal);
  }
  async pendingProposalsLike(normalized: string): Promise<ProposalRow[]> {
    return (await this.all(SQL.pendingLike, [normalized])).map(toProposal);
  }
  async proposalsSince(userId: string, since: string): Promise<number> {
    return Number((await this.one(SQL.proposalsSince, [userId, since]))!.n);
  }

  async insertComment(c: Omit<CommentRow, 'id' | 'username' | 'deletedAt'>): Promise<number> {
    const r = await this.one(SQL.insertComment, commentArgs(c));
    return Number(r!.id);
  }
  async comment(id: number): Promise<CommentRow | undefined> {
    const r = await this.one(SQL.comment, [id]);
    return r ? toComment(r) : undefined;
  }
  async commentsOfMarket(marketId: string): Promise<CommentRow[]> {
    return (await this.all(SQL.commentsOfMarket, [marketId])).map(toComment);
  }
  async deleteComment(id: number, at: string): Promise<boolean> {
    return (await this.run(SQL.deleteComment, [at, id])) === 1;
  }
}
