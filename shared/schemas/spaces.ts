import { z } from 'zod';
import {
  IsoTime,
  MarketId,
  MarketType,
  NextCursor,
  OutcomeId,
  pageQuery,
  SpaceId,
  text,
  Username,
} from './common.ts';
import { outcomesAgree } from './http.ts';
import { CalibrationBin, Market } from './objects.ts';

/** Spaces (teams and their privacy), question proposals and comments, as in API.md. */

export const SpaceVisibility = z.enum(['public', 'private']);
export type SpaceVisibility = z.infer<typeof SpaceVisibility>;

export const SpaceRole = z.enum(['owner', 'moderator', 'member']);
export type SpaceRole = z.infer<typeof SpaceRole>;

export const Space = z.object({
  id: SpaceId,
  name: z.string(),
  visibility: SpaceVisibility,
  createdAt: IsoTime,
  /** The caller's role in the space; absent when the caller is not a member. */
  role: SpaceRole.optional(),
  /** How many members the space has. */
  members: z.number().int().nonnegative(),
});
export type Space = z.infer<typeof Space>;

export const CreateSpaceRequest = z
  .object({ name: text(80, 2), visibility: SpaceVisibility })
  .strict();
export type CreateSpaceRequest = z.infer<typeof CreateSpaceRequest>;

export const SpaceResponse = z.object({ space: Space });
export type SpaceResponse = z.infer<typeof SpaceResponse>;
export const SpacesResponse = z.object({ spaces: z.array(Space) });
export type SpacesResponse = z.infer<typeof SpacesResponse>;

/** An invite token: 32 url-safe characters (only its hash is stored). */
export const InviteToken = z.string().regex(/^[A-Za-z0-9_-]{32}$/, 'an invite token');

export const CreateInviteRequest = z
  .object({
    role: z.enum(['member', 'moderator']).optional(),
    expiresAt: IsoTime.optional(),
    maxUses: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();
export type CreateInviteRequest = z.infer<typeof CreateInviteRequest>;

export const Invite = z.object({
  token: InviteToken,
  url: z.string(),
  role: z.enum(['member', 'moderator']),
  expiresAt: IsoTime.nullable(),
  maxUses: z.number().int().nullable(),
});
export type Invite = z.infer<typeof Invite>;
export const InviteResponse = z.object({ invite: Invite });
export type InviteResponse = z.infer<typeof InviteResponse>;

/** What an invite link shows before it is accepted. */
export const InvitePreviewResponse = z.object({
  space: z.object({ id: SpaceId, name: z.string(), visibility: SpaceVisibility }),
  role: z.enum(['member', 'moderator']),
});
export type InvitePreviewResponse = z.infer<typeof InvitePreviewResponse>;

export const Member = z.object({ username: Username, role: SpaceRole, joinedAt: IsoTime });
export type Member = z.infer<typeof Member>;
export const MembersResponse = z.object({ members: z.array(Member) });
export type MembersResponse = z.infer<typeof MembersResponse>;
export const UpdateMemberRequest = z.object({ role: SpaceRole }).strict();
export type UpdateMemberRequest = z.infer<typeof UpdateMemberRequest>;
export const MemberResponse = z.object({ member: Member });
export type MemberResponse = z.infer<typeof MemberResponse>;

/** How a space's forecasters did together on its resolved markets. */
export const SpaceCalibrationResponse = z.object({
  /** Forecasts made before their market's cutoff. */
  forecasts: z.number().int(),
  resolved: z.number().int(),
  /** Mean Brier score of the space's forecasters, per market they forecast. */
  brier: z.number().nullable(),
  calibration: z.array(CalibrationBin),
});
export type SpaceCalibrationResponse = z.infer<typeof SpaceCalibrationResponse>;

/** A signed embed URL of a private market, made by a member. */
export const EmbedLinkResponse = z.object({ url: z.string(), token: z.string() });
export type EmbedLinkResponse = z.infer<typeof EmbedLinkResponse>;

// ---- proposals

export const ProposalId = z.string().regex(/^pr_[A-Za-z0-9_-]{16}$/, 'a proposal id');
export const ProposalStatus = z.enum(['pending', 'approved', 'rejected']);
export type ProposalStatus = z.infer<typeof ProposalStatus>;

const proposalFields = {
  question: text(300, 5),
  description: text(10_000).optional(),
  criteria: text(5_000, 5),
  type: MarketType.optional(),
  outcomes: z.array(text(80, 1)).min(2).max(20).optional(),
  closesAt: IsoTime,
  sources: z
    .array(z.url({ protocol: /^https?$/ }).max(2000))
    .max(20)
    .optional(),
};

export const CreateProposalRequest = z
  .object({ ...proposalFields, spaceId: SpaceId.optional() })
  .strict()
  .superRefine(outcomesAgree);
export type CreateProposalRequest = z.infer<typeof CreateProposalRequest>;

/** Edits of a pending proposal (or the reviewer's edits on approval): any of the fields. */
export const UpdateProposalRequest = z
  .object(proposalFields)
  .partial()
  .strict()
  .superRefine((v, ctx) => {
    if (v.type !== undefined || v.outcomes !== undefined) outcomesAgree(v, ctx);
  });
export type UpdateProposalRequest = z.infer<typeof UpdateProposalRequest>;

export const RejectProposalRequest = z.object({ reason: text(2000, 3) }).strict();
export type RejectProposalRequest = z.infer<typeof RejectProposalRequest>;

export const ProposalsQuery = pageQuery(100).extend({ status: ProposalStatus.optional() }).strict();
export type ProposalsQuery = z.infer<typeof ProposalsQuery>;

export const Proposal = z.object({
  id: ProposalId,
  proposer: Username,
  status: ProposalStatus,
  question: z.string(),
  description: z.string(),
  criteria: z.string(),
  type: MarketType,
  outcomes: z.array(z.string()),
  closesAt: IsoTime,
  spaceId: SpaceId.nullable(),
  sources: z.array(z.string()),
  marketId: MarketId.optional(),
  reason: z.string().optional(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  decidedAt: IsoTime.optional(),
  decidedBy: Username.optional(),
  /** For reviewers: open questions or pending proposals with the same normalised text. */
  duplicates: z
    .array(z.object({ kind: z.enum(['market', 'proposal']), id: z.string(), question: z.string() }))
    .optional(),
});
export type Proposal = z.infer<typeof Proposal>;

export const ProposalResponse = z.object({ proposal: Proposal });
export type ProposalResponse = z.infer<typeof ProposalResponse>;
/** Newest first. */
export const ProposalsResponse = z.object({
  proposals: z.array(Proposal),
  nextCursor: NextCursor,
});
export type ProposalsResponse = z.infer<typeof ProposalsResponse>;
export const ApproveProposalResponse = z.object({ proposal: Proposal, market: Market });
export type ApproveProposalResponse = z.infer<typeof ApproveProposalResponse>;

// ---- comments

export const CommentId = z.string().regex(/^[1-9][0-9]{0,15}$/, 'a comment id');

export const CreateCommentRequest = z
  .object({ text: text(4000, 1), replyTo: CommentId.optional() })
  .strict();
export type CreateCommentRequest = z.infer<typeof CreateCommentRequest>;

export const Comment = z.object({
  id: CommentId,
  marketId: MarketId,
  username: Username,
  /** Plain text; clients render it as text, turning only http(s) links into links. */
  text: z.string(),
  replyTo: CommentId.optional(),
  createdAt: IsoTime,
  /** A deleted comment keeps its place in the thread, without its text. */
  deleted: z.literal(true).optional(),
  /** The author's largest holding in the market when they wrote the comment. */
  position: z.object({ outcomeId: OutcomeId, shares: z.number() }).optional(),
  /** The author's latest forecast in the market when they wrote the comment. */
  forecast: z.array(z.number()).optional(),
});
export type Comment = z.infer<typeof Comment>;

export const CommentResponse = z.object({ comment: Comment });
export type CommentResponse = z.infer<typeof CommentResponse>;
/** `GET /api/markets/:id/comments?limit=&before=`: newest first. */
export const CommentsQuery = pageQuery(1000).strict();
export type CommentsQuery = z.infer<typeof CommentsQuery>;
export const CommentsResponse = z.object({ comments: z.array(Comment), nextCursor: NextCursor });
export type CommentsResponse = z.infer<typeof CommentsResponse>;
/** Sent to a market's subscribers when a comment is deleted. */
export const CommentDeleted = z.object({ id: CommentId, marketId: MarketId });
export type CommentDeleted = z.infer<typeof CommentDeleted>;
