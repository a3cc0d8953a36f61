import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import express, { type Request, Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../../shared/errors.ts';
import { ChatPlatform, LinkCode, RemindersRequest } from '../../shared/schemas/index.ts';
import { requireUser } from '../http/auth.ts';
import { jsonBody, parse } from '../http/errors.ts';
import { type SignatureCheck, verifySlackSignature } from '../integrations/slashCommand.ts';
import type { ChatCtx } from './chatCtx.ts';
import { firstSighting } from './chatCtx.ts';
import { DiscordInteraction, discordInteraction } from './discord/discordChat.ts';
import { discordPublicKey, verifyDiscordSignature } from './discord/verify.ts';
import { chatSettings, confirmLink, previewLink, setReminders, unlink } from './links.ts';
import { SlackCommandForm, SlackInteraction } from './slack/payloads.ts';
import { slackCommand, slackInteraction } from './slack/slackChat.ts';

type WithRawBody = IncomingMessage & { rawBody?: Buffer };

/** Keeps the exact bytes of a body: signatures cover them, not their parse. */
export function keepRawBody(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  (req as WithRawBody).rawBody = Buffer.from(buf);
}

/** Slack's urlencoded forms: a slash command is a few fields; an interaction carries its view. */
const slackForm = (limit: string) =>
  express.urlencoded({ extended: false, limit, verify: keepRawBody });
const commandForm = slackForm('16kb');
const interactionForm = slackForm('64kb');

const REFUSALS: Record<Exclude<SignatureCheck, 'ok'>, string> = {
  missing: 'the request carries no valid signature',
  stale: 'the request is more than five minutes old (or from the future)',
  mismatch: 'the signature does not match',
};

function rawBody(req: Request): Buffer {
  return (req as unknown as WithRawBody).rawBody ?? Buffer.alloc(0);
}

function refuse(check: Exclude<SignatureCheck, 'ok'> | 'replayed'): never {
  if (check === 'replayed') {
    throw new DomainError('unauthenticated', 'this signed request was received already', {
      reason: 'replayed',
    });
  }
  throw new DomainError('unauthenticated', REFUSALS[check], { reason: check });
}

/**
 * A signed request is answered once: the same signature again is a replay. Slack's retries
 * say so in `X-Slack-Retry-Num` and are let through (the action's receipt keeps them from
 * changing anything twice).
 */
async function refuseReplay(c: ChatCtx, platform: string, signature: string, retry: boolean) {
  const key = `sig:${platform}:${createHash('sha256').update(signature).digest('hex')}`;
  if (!(await firstSighting(c, key)) && !retry) refuse('replayed');
}

const LinkParams = z.object({
  platform: ChatPlatform,
  teamId: z.string().min(1).max(64),
  externalUserId: z.string().min(1).max(64),
});

function codeOf(req: Request): string {
  const code = LinkCode.safeParse(req.params.code);
  if (!code.success) {
    throw new DomainError(
      'not_found',
      'this link has expired or was used already: run /parity link again',
    );
  }
  return code.data;
}

/** Slack's and Discord's endpoints, account linking, and the member's chat settings. */
export function chatRoutes(c: ChatCtx): Router {
  const { ctx } = c;
  const r = Router();
  const discordKey = ctx.config.DISCORD_PUBLIC_KEY
    ? discordPublicKey(ctx.config.DISCORD_PUBLIC_KEY)
    : undefined;

  async function verifySlack(req: Request): Promise<void> {
    const secret = ctx.config.SLACK_SIGNING_SECRET;
    if (!secret) {
      throw new DomainError(
        'forbidden',
        'Slack is off: set SLACK_SIGNING_SECRET to the Slack app signing secret',
      );
    }
    const signature = req.get('x-slack-signature');
    const check = verifySlackSignature(
      secret,
      req.get('x-slack-request-timestamp'),
      signature,
      rawBody(req),
      ctx.now(),
    );
    if (check !== 'ok') refuse(check);
  }

  /** Called once the body is known to be well formed, so a refused body records nothing. */
  const slackOnce = (req: Request) =>
    refuseReplay(
      c,
      'slack',
      req.get('x-slack-signature')!,
      req.get('x-slack-retry-num') !== undefined,
    );

  // Slack signs the body instead of sending a cookie or an Origin, so the CSRF check lets it
  // through and the signature is what authenticates it.
  r.post('/integrations/slack/command', commandForm, async (req, res) => {
    await verifySlack(req);
    const form = parse(SlackCommandForm, req.body ?? {});
    await slackOnce(req);
    res.json(await slackCommand(c, form));
  });

  r.post('/integrations/slack/interactions', interactionForm, async (req, res) => {
    await verifySlack(req);
    const form = parse(z.object({ payload: z.string().max(60_000) }), req.body ?? {});
    let json: unknown;
    try {
      json = JSON.parse(form.payload);
    } catch {
      throw new DomainError('validation_failed', 'payload must be JSON');
    }
    const payload = parse(SlackInteraction, json);
    await slackOnce(req);
    const answer = await slackInteraction(c, payload);
    if (Object.keys(answer).length === 0) res.status(200).end();
    else res.json(answer);
  });

  r.post('/integrations/discord/interactions', async (req, res) => {
    if (!discordKey) {
      throw new DomainError(
        'forbidden',
        'Discord is off: set DISCORD_PUBLIC_KEY to the application public key',
      );
    }
    const signature = req.get('x-signature-ed25519');
    const check = verifyDiscordSignature(
      discordKey,
      req.get('x-signature-timestamp'),
      signature,
      rawBody(req),
      ctx.now(),
    );
    if (check !== 'ok') refuse(check);
    const interaction = parse(DiscordInteraction, jsonBody(req));
    await refuseReplay(c, 'discord', signature!, false);
    res.json(await discordInteraction(c, interaction));
  });

  r.get('/integrations/links/:code', async (req, res) => {
    requireUser(res);
    res.json(await previewLink(ctx, codeOf(req)));
  });

  r.post('/integrations/links/:code', async (req, res) => {
    const user = requireUser(res);
    parse(z.object({}).strict(), jsonBody(req));
    res.json({ link: await confirmLink(ctx, codeOf(req), user) });
  });

  r.get('/me/chat', async (_req, res) => {
    res.json(await chatSettings(ctx, requireUser(res)));
  });

  r.put('/me/chat/reminders', async (req, res) => {
    const user = requireUser(res);
    const body = parse(RemindersRequest, jsonBody(req));
    res.json(await setReminders(ctx, user, body.enabled));
  });

  r.delete('/me/chat/links/:platform/:teamId/:externalUserId', async (req, res) => {
    const user = requireUser(res);
    const p = LinkParams.safeParse(req.params);
    if (!p.success) throw new DomainError('not_found', 'no such link');
    await unlink(ctx, p.data, user);
    res.status(204).end();
  });

  return r;
}
