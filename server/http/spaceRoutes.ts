import { Router } from 'express';
import type { Redis } from 'ioredis';
import { DomainError } from '../../shared/errors.ts';
import {
  CommentId,
  type CommentResponse,
  CommentsQuery,
  type CommentsResponse,
  CreateCommentRequest,
  CreateInviteRequest,
  CreateProposalRequest,
  CreateSpaceRequest,
  type EmbedLinkResponse,
  InviteToken,
  MarketId,
  ProposalId,
  ProposalsQuery,
  type ProposalsResponse,
  RejectProposalRequest,
  SpaceId,
  UpdateMemberRequest,
  UpdateProposalRequest,
  Username,
} from '../../shared/schemas/index.ts';
import { requireVisibleMarket, requireVisibleSpace } from '../services/access.ts';
import { addComment, deleteComment, listComments } from '../services/comments.ts';
import type { Ctx } from '../services/context.ts';
import { embedToken } from '../services/embeds.ts';
import {
  approveProposal,
  createProposal,
  listProposals,
  rejectProposal,
  updateProposal,
} from '../services/proposals.ts';
import { spaceCalibration } from '../services/scores.ts';
import {
  acceptInvite,
  changeRole,
  createInvite,
  createSpace,
  getSpace,
  listMembers,
  listSpaces,
  previewInvite,
  removeMember,
} from '../services/spaces.ts';
import { requireUser } from './auth.ts';
import { jsonBody, parse } from './errors.ts';
import { RateLimiter } from './rateLimit.ts';
import { baseUrlOf, viewer } from './viewer.ts';

/** Spaces and their members and invites, question proposals, comments and embed links. */
export function spaceRoutes(ctx: Ctx, redis?: Redis): Router {
  const r = Router();
  const commentLimit = new RateLimiter(ctx.config.COMMENTS_PER_MINUTE, 60_000, {
    redis,
    prefix: `${ctx.config.REDIS_PREFIX}:rl:comments`,
  });
  // Path parameters: malformed is 400 (as for market ids); well-formed but unknown, 404.
  const space = (v: unknown) => parse(SpaceId, v);

  r.post('/spaces', async (req, res) => {
    const user = requireUser(res);
    const body = parse(CreateSpaceRequest, jsonBody(req));
    res.status(201).json({ space: await createSpace(ctx, user, body) });
  });

  r.get('/spaces', async (req, res) => {
    res.json({ spaces: await listSpaces(ctx, await viewer(ctx, req, res)) });
  });

  r.get('/spaces/:id', async (req, res) => {
    const v = await viewer(ctx, req, res);
    res.json({ space: await getSpace(ctx, v, space(req.params.id)) });
  });

  r.get('/spaces/:id/calibration', async (req, res) => {
    const v = await viewer(ctx, req, res);
    const id = space(req.params.id);
    await requireVisibleSpace(ctx.store, v, id);
    res.json(await spaceCalibration(ctx, id));
  });

  r.post('/spaces/:id/invites', async (req, res) => {
    requireUser(res);
    const v = await viewer(ctx, req, res);
    const id = space(req.params.id);
    const body = parse(CreateInviteRequest, jsonBody(req));
    res.status(201).json({ invite: await createInvite(ctx, v, id, body, baseUrlOf(ctx, req)) });
  });

  r.get('/invites/:token', async (req, res) => {
    res.json(await previewInvite(ctx, parse(InviteToken, req.params.token)));
  });

  r.post('/invites/:token/accept', async (req, res) => {
    const user = requireUser(res);
    const token = parse(InviteToken, req.params.token);
    jsonBody(req);
    res.json({ space: await acceptInvite(ctx, user, token) });
  });

  r.get('/spaces/:id/members', async (req, res) => {
    const v = await viewer(ctx, req, res);
    res.json({ members: await listMembers(ctx, v, space(req.params.id)) });
  });

  r.patch('/spaces/:id/members/:username', async (req, res) => {
    requireUser(res);
    const v = await viewer(ctx, req, res);
    const id = space(req.params.id);
    const username = parse(Username, req.params.username);
    const body = parse(UpdateMemberRequest, jsonBody(req));
    res.json({ member: await changeRole(ctx, v, id, username, body.role) });
  });

  r.delete('/spaces/:id/members/:username', async (req, res) => {
    requireUser(res);
    const v = await viewer(ctx, req, res);
    const id = space(req.params.id);
    const username = parse(Username, req.params.username);
    await removeMember(ctx, v, id, username);
    res.status(204).end();
  });

  // ---- proposals

  const proposal = (v: unknown) => parse(ProposalId, v);

  r.post('/proposals', async (req, res) => {
    const user = requireUser(res);
    const body = parse(CreateProposalRequest, jsonBody(req));
    const v = await viewer(ctx, req, res);
    res.status(201).json({ proposal: await createProposal(ctx, v, user, body) });
  });

  r.get('/proposals', async (req, res) => {
    requireUser(res);
    const q = parse(ProposalsQuery, req.query);
    const body: ProposalsResponse = await listProposals(ctx, await viewer(ctx, req, res), q);
    res.json(body);
  });

  r.patch('/proposals/:id', async (req, res) => {
    requireUser(res);
    const id = proposal(req.params.id);
    const body = parse(UpdateProposalRequest, jsonBody(req));
    res.json({ proposal: await updateProposal(ctx, await viewer(ctx, req, res), id, body) });
  });

  r.post('/proposals/:id/approve', async (req, res) => {
    requireUser(res);
    const id = proposal(req.params.id);
    const body = parse(UpdateProposalRequest, jsonBody(req) ?? {});
    res.json(await approveProposal(ctx, await viewer(ctx, req, res), id, body));
  });

  r.post('/proposals/:id/reject', async (req, res) => {
    requireUser(res);
    const id = proposal(req.params.id);
    const body = parse(RejectProposalRequest, jsonBody(req));
    const v = await viewer(ctx, req, res);
    res.json({ proposal: await rejectProposal(ctx, v, id, body.reason) });
  });

  // ---- comments

  const market = (v: unknown) => parse(MarketId, v);

  r.get('/markets/:id/comments', async (req, res) => {
    const v = await viewer(ctx, req, res);
    const id = market(req.params.id);
    const body: CommentsResponse = await listComments(ctx, v, id, parse(CommentsQuery, req.query));
    res.json(body);
  });

  r.post('/markets/:id/comments', async (req, res) => {
    const user = requireUser(res);
    const id = market(req.params.id);
    const body = parse(CreateCommentRequest, jsonBody(req));
    const v = await viewer(ctx, req, res);
    await requireVisibleMarket(ctx.store, v, id);
    const hit = await commentLimit.hit(user.id);
    if (!hit.ok) {
      throw new DomainError(
        'rate_limited',
        `at most ${ctx.config.COMMENTS_PER_MINUTE} comments a minute`,
        { retryAfter: hit.retryAfterSeconds },
        hit.retryAfterSeconds,
      );
    }
    const out: CommentResponse = { comment: await addComment(ctx, v, user, id, body) };
    res.status(201).json(out);
  });

  r.delete('/comments/:id', async (req, res) => {
    requireUser(res);
    const id = parse(CommentId, req.params.id);
    await deleteComment(ctx, await viewer(ctx, req, res), Number(id));
    res.status(204).end();
  });

  // ---- signed embeds

  r.post('/markets/:id/embed', async (req, res) => {
    requireUser(res);
    const v = await viewer(ctx, req, res);
    const m = await requireVisibleMarket(ctx.store, v, market(req.params.id));
    const token = await embedToken(ctx, m.id);
    const url = `${baseUrlOf(ctx, req)}/embed/${encodeURIComponent(m.id)}?token=${token}`;
    const body: EmbedLinkResponse = { url, token };
    res.status(201).json(body);
  });

  return r;
}
