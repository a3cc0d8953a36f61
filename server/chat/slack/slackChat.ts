import type { KnownBlock, ModalView } from '@slack/types';
import { DomainError, isDomainError } from '../../../shared/errors.ts';
import {
  type ChatIdentity,
  CreateMarketRequest,
  ForecastRequest,
} from '../../../shared/schemas/index.ts';
import { parse } from '../../http/errors.ts';
import { marketLink } from '../../integrations/channelCtx.ts';
import { slackLink } from '../../integrations/slackFormat.ts';
import { moversReply, oddsReply } from '../../integrations/slashCommand.ts';
import { once } from '../../services/context.ts';
import { requireMarket } from '../../services/markets.ts';
import { marketView } from '../../services/views.ts';
import {
  type Actor,
  buyFromChat,
  chatErrorText,
  closeFromChat,
  createFromChat,
  forecastFromChat,
  forecastMarket,
  parseCredits,
  quoteFromChat,
  resolveFromChat,
  vectorFor,
} from '../actions.ts';
import { type ChatCtx, countAction, followUp, within } from '../chatCtx.ts';
import { createLinkCode, linkedUser, setReminders, unlinkFromChat } from '../links.ts';
import {
  ACTION,
  buyModal,
  closeModal,
  createModal,
  ephemeral,
  forecastModal,
  parseOutcomeRef,
  quoteLine,
  readMeta,
  resolveModal,
  VIEW,
  type ViewMeta,
} from './blocks.ts';
import {
  type BlockActions,
  type SlackCommandForm,
  type SlackInteraction,
  stateText,
  type ViewSubmission,
} from './payloads.ts';

/** Slack, both ways: slash commands, message buttons, and the modals they open. */

type Reply = ReturnType<typeof ephemeral> | Record<string, never>;

const HELP = [
  '/forecast <market id or words> 65% — record your forecast (multiple choice: /forecast <market> <outcome> 40%)',
  '/odds <words> — the odds of matching markets; /odds alone for the top movers',
  '/parity link — link this Slack account to your Parity account; /parity unlink',
  '/parity reminders on|off — daily reminders of forecasts worth a second look',
  '/parity new — propose a question (an admin’s opens at once)',
].join('\n');

/** A default stake for the buy modal. */
const DEFAULT_AMOUNT_CENTS = 1000;

function identityOf(
  teamId: string | undefined,
  user: { id: string; username?: string; name?: string; team_id?: string },
): ChatIdentity {
  const team = teamId ?? user.team_id;
  if (!team) throw new DomainError('validation_failed', 'the request names no Slack team');
  return {
    platform: 'slack',
    teamId: team,
    externalUserId: user.id,
    externalName: user.username ?? user.name ?? null,
  };
}

/** The answer to a member who is not linked yet: a link, and nothing recorded. */
async function linkPrompt(c: ChatCtx, id: ChatIdentity, intro: string): Promise<Reply> {
  const { url } = await createLinkCode(c.ctx, id, c.baseUrl());
  const text = `${intro}${intro.endsWith(',') ? ' open' : ' Open'} this link while signed in to Parity to link your Slack account (valid 10 minutes, once): ${url}`;
  return {
    ...ephemeral(text),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${intro.replace(/[&<>]/g, '')} ${slackLink(url, 'Link your Slack account to Parity')} (valid 10 minutes, once).`,
        },
      },
    ],
  };
}

function requireSlack(c: ChatCtx) {
  if (!c.slack) {
    throw new DomainError('forbidden', 'this needs the Slack bot: set SLACK_BOT_TOKEN');
  }
  return c.slack;
}

async function actorOrPrompt(
  c: ChatCtx,
  id: ChatIdentity,
  intro = 'Link your account first; nothing was recorded.',
): Promise<Actor | Reply> {
  const user = await linkedUser(c.ctx, id);
  return user ? { identity: id, user } : linkPrompt(c, id, intro);
}

function isActor(x: Actor | Reply): x is Actor {
  return 'user' in x;
}

/** Runs a member's action and turns refusals into a sentence for them. */
async function answer(c: ChatCtx, work: () => Promise<Reply>): Promise<Reply> {
  try {
    return await work();
  } catch (err) {
    return ephemeral(chatErrorText(c.ctx, err));
  }
}

// ---- slash commands

export async function slackCommand(c: ChatCtx, form: SlackCommandForm): Promise<Reply> {
  const command = form.command.replace(/^\//, '').toLowerCase();
  if (command === 'odds') {
    return form.text.trim()
      ? oddsReply(c.channels, form.text)
      : moversReply(c.channels, c.ctx.now());
  }
  const work = answer(c, async () => {
    if (!form.user_id)
      throw new DomainError('validation_failed', 'the request names no Slack user');
    const id = identityOf(form.team_id, { id: form.user_id, username: form.user_name });
    await countAction(c, id);
    if (command === 'forecast') return forecastCommand(c, id, form);
    if (command === 'parity') return parityCommand(c, id, form);
    return ephemeral(`Unknown command /${command}.\n${HELP}`);
  });
  const raced = await within(work);
  if (raced.done) return raced.value;
  // Slow: acknowledge now, answer through response_url when the work is done.
  if (form.response_url) {
    const url = form.response_url;
    void raced.later
      .then((reply) => followUp(c, 'POST', url, { ...reply, replace_original: false }))
      .catch((err) => c.ctx.log.warn({ err }, 'Slack follow-up failed'));
  }
  return ephemeral('Working on it…');
}

async function forecastCommand(
  c: ChatCtx,
  id: ChatIdentity,
  form: SlackCommandForm,
): Promise<Reply> {
  if (!form.text.trim()) return ephemeral(`Usage: ${HELP.split('\n')[0]}`);
  const actor = await actorOrPrompt(c, id);
  if (!isActor(actor)) return actor;
  const key = `slack:${id.teamId}:command:${form.trigger_id ?? ''}`;
  const run = () => forecastFromChat(c.ctx, actor, form.text);
  return ephemeral(await (form.trigger_id ? once(key, run) : run()));
}

async function parityCommand(c: ChatCtx, id: ChatIdentity, form: SlackCommandForm): Promise<Reply> {
  const [sub = 'help', ...rest] = form.text.trim().toLowerCase().split(/\s+/);
  switch (sub) {
    case 'link': {
      const user = await linkedUser(c.ctx, id);
      const intro = user
        ? `This Slack account is linked to ${user.username}; to link it to another account,`
        : 'To forecast and trade from Slack,';
      return linkPrompt(c, id, intro);
    }
    case 'unlink': {
      return ephemeral(await unlinkFromChat(c.ctx, id));
    }
    case 'reminders': {
      const actor = await actorOrPrompt(c, id);
      if (!isActor(actor)) return actor;
      const on = rest[0] === 'on' ? true : rest[0] === 'off' ? false : undefined;
      if (on === undefined)
        return ephemeral('Usage: /parity reminders on, or /parity reminders off');
      await setReminders(c.ctx, actor.user, on);
      return ephemeral(
        on ? 'Reminders are on: at most one direct message a day.' : 'Reminders are off.',
      );
    }
    case 'new': {
      const actor = await actorOrPrompt(c, id);
      if (!isActor(actor)) return actor;
      if (!form.trigger_id)
        throw new DomainError('validation_failed', 'the request has no trigger_id');
      const today = new Date(c.ctx.now().getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
      await requireSlack(c).views.open({
        trigger_id: form.trigger_id,
        view: createModal(form.channel_id, today, actor.user.role !== 'admin'),
      });
      return {};
    }
    default:
      return ephemeral(HELP);
  }
}

// ---- interactions

/** The answer to an interaction: empty, or a `response_action` for a submitted view. */
export type InteractionAnswer = Record<string, unknown>;

export async function slackInteraction(
  c: ChatCtx,
  p: SlackInteraction,
): Promise<InteractionAnswer> {
  if (p.type === 'block_actions') {
    await blockActions(c, p as BlockActions);
    return {};
  }
  if (p.type === 'view_submission') return viewSubmission(c, p as ViewSubmission);
  return {};
}

/** Tells the member something only they see: in the channel when known, else by DM. */
async function tell(
  c: ChatCtx,
  id: ChatIdentity,
  channel: string | undefined,
  reply: Reply,
): Promise<void> {
  const slack = requireSlack(c);
  const r = reply as ReturnType<typeof ephemeral>;
  if (channel) {
    await slack.chat.postEphemeral({
      channel,
      user: id.externalUserId,
      text: r.text,
      blocks: r.blocks,
    });
  } else {
    await slack.chat.postMessage({ channel: id.externalUserId, text: r.text, blocks: r.blocks });
  }
}

async function respond(c: ChatCtx, p: BlockActions, reply: Reply): Promise<void> {
  if (p.response_url) {
    await followUp(c, 'POST', p.response_url, {
      ...reply,
      response_type: 'ephemeral',
      replace_original: false,
    });
  } else {
    const id = identityOf(p.team?.id, p.user);
    await tell(c, id, p.channel?.id, reply);
  }
}

async function blockActions(c: ChatCtx, p: BlockActions): Promise<void> {
  const action = p.actions[0]!;
  const id = identityOf(p.team?.id, p.user);
  // Enter in the buy modal's amount: a new quote, in place.
  if (p.view && action.action_id === ACTION.amount) {
    await requote(c, p);
    return;
  }
  let opened: ModalView | undefined;
  const reply = await answer(c, async () => {
    await countAction(c, id);
    const actor = await actorOrPrompt(c, id, 'Link your account to act on markets from Slack.');
    if (!isActor(actor)) return actor;
    const channel = p.channel?.id;
    if (action.action_id === ACTION.forecast) {
      const m = marketView(await requireMarket(c.ctx.store, action.value ?? ''));
      if (m.status !== 'open') return settled(m.status, m.question);
      const mine = (await c.ctx.store.forecastsOfMarket(m.id))
        .filter((f) => f.userId === actor.user.id)
        .at(-1);
      opened = forecastModal(m, channel, mine?.probabilities);
    } else if (action.action_id.startsWith(ACTION.buy)) {
      const ref = parseOutcomeRef(action.value ?? '');
      if (!ref) throw new DomainError('validation_failed', 'a malformed button');
      const m = marketView(await requireMarket(c.ctx.store, ref.marketId));
      if (m.status !== 'open') return settled(m.status, m.question);
      if (!m.outcomes[ref.index]) throw new DomainError('validation_failed', 'no such outcome');
      opened = buyModal(
        m,
        ref.index,
        channel,
        DEFAULT_AMOUNT_CENTS,
        await quoteText(c, actor, m.id, ref.index, DEFAULT_AMOUNT_CENTS),
      );
    } else if (action.action_id === ACTION.admin) {
      const [verb, marketId = ''] = (action.selected_option?.value ?? '').split(':');
      if (actor.user.role !== 'admin') {
        throw new DomainError(
          'forbidden',
          `only admins can ${verb === 'close' ? 'close' : 'resolve'} markets`,
        );
      }
      const m = marketView(await requireMarket(c.ctx.store, marketId));
      if (verb === 'close') {
        if (m.status !== 'open') return settled(m.status, m.question);
        opened = closeModal(m, channel);
      } else {
        if (m.status !== 'open' && m.status !== 'closed') return settled(m.status, m.question);
        opened = resolveModal(m, channel);
      }
    } else {
      return {};
    }
    return {};
  });
  if (opened) {
    // The trigger is good for 3 s: open the modal before anything else.
    await requireSlack(c).views.open({ trigger_id: p.trigger_id, view: opened });
  } else if ('text' in reply) {
    await respond(c, p, reply);
  }
}

function settled(status: string, question: string): Reply {
  return ephemeral(
    status === 'closed'
      ? `“${question}” is closed: trading has stopped and it awaits resolution.`
      : `“${question}” is ${status}: there is nothing left to trade or forecast.`,
  );
}

async function quoteText(
  c: ChatCtx,
  actor: Actor,
  marketId: string,
  index: number,
  cents: number,
): Promise<string> {
  const m = marketView(await requireMarket(c.ctx.store, marketId));
  try {
    const q = await quoteFromChat(c.ctx, actor.user, marketId, m.outcomes[index]!.id, cents);
    return quoteLine(m, index, cents, q);
  } catch (err) {
    return quoteLine(
      m,
      index,
      cents,
      undefined,
      isDomainError(err) ? chatErrorText(c.ctx, err) : 'no quote right now',
    );
  }
}

async function requote(c: ChatCtx, p: BlockActions): Promise<void> {
  const view = p.view!;
  const meta = readMeta(view.private_metadata);
  const id = identityOf(p.team?.id, p.user);
  const user = await linkedUser(c.ctx, id);
  if (!user || !meta.m) return;
  const m = marketView(await requireMarket(c.ctx.store, meta.m));
  const index = Number(stateText(view.state, 'outcome') ?? meta.o ?? 0);
  if (!m.outcomes[index]) return;
  let cents = DEFAULT_AMOUNT_CENTS;
  let text: string;
  try {
    cents = parseCredits(stateText(view.state, 'amount') ?? '');
    text = await quoteText(c, { identity: id, user }, m.id, index, cents);
  } catch (err) {
    text = `_${chatErrorText(c.ctx, err)}_`;
  }
  await requireSlack(c).views.update({
    view_id: view.id,
    ...(view.hash ? { hash: view.hash } : {}),
    view: buyModal(m, index, meta.c, cents, text),
  });
}

/** Field errors shown in the modal, by block id. */
function fieldErrors(err: unknown, c: ChatCtx, fallbackBlock: string): InteractionAnswer {
  const field = isDomainError(err)
    ? ((err.details as { field?: string } | undefined)?.field ?? '')
    : '';
  const block =
    {
      probability: 'probability',
      probabilities: 'probability',
      amount: 'amount',
      amountCents: 'amount',
      outcome: 'outcome',
      outcomeId: 'outcome',
      question: 'question',
      closesAt: 'closes',
      outcomes: 'outcomes',
      criteria: 'criteria',
    }[field] ?? fallbackBlock;
  return {
    response_action: 'errors',
    errors: { [block]: chatErrorText(c.ctx, err).slice(0, 150) },
  };
}

async function viewSubmission(c: ChatCtx, p: ViewSubmission): Promise<InteractionAnswer> {
  const id = identityOf(p.team?.id, p.user);
  const meta = readMeta(p.view.private_metadata);
  const user = await linkedUser(c.ctx, id);
  const first = {
    forecast: 'probability',
    buy: 'amount',
    close: 'outcome',
    resolve: 'outcome',
    create: 'question',
  };
  const kind = (Object.entries(VIEW).find(([, v]) => v === p.view.callback_id)?.[0] ?? '') as
    | keyof typeof VIEW
    | '';
  if (!kind) return {};
  if (!user) {
    return {
      response_action: 'errors',
      errors: { [first[kind]]: 'Link your Slack account first: /parity link' },
    };
  }
  const actor: Actor = { identity: id, user };
  const state = p.view.state;
  const work = async (): Promise<string> => {
    await countAction(c, id);
    return once(`slack:${id.teamId}:view:${p.view.id}`, () => submit(c, actor, kind, meta, state));
  };
  let text: string;
  try {
    const raced = await within(work());
    if (!raced.done) {
      void raced.later
        .then((t) => tell(c, id, meta.c, ephemeral(t)))
        .catch((err) => tell(c, id, meta.c, ephemeral(chatErrorText(c.ctx, err))).catch(() => {}));
      return { response_action: 'clear' };
    }
    text = raced.value;
  } catch (err) {
    if (
      isDomainError(err) &&
      (err.code === 'validation_failed' ||
        err.code === 'insufficient_funds' ||
        err.code === 'slippage')
    ) {
      return fieldErrors(err, c, first[kind]);
    }
    text = chatErrorText(c.ctx, err);
  }
  await tell(c, id, meta.c, ephemeral(text)).catch((err) =>
    c.ctx.log.warn({ err }, 'Slack answer failed'),
  );
  return { response_action: 'clear' };
}

async function submit(
  c: ChatCtx,
  actor: Actor,
  kind: keyof typeof VIEW,
  meta: ViewMeta,
  state: ViewSubmission['view']['state'],
): Promise<string> {
  const marketId = meta.m ?? '';
  const probability = () => {
    const raw = (stateText(state, 'probability') ?? '').trim().replace(/%$/, '');
    const p = Number(raw) / 100;
    if (!/^\d{1,3}(\.\d+)?$/.test(raw) || !(p >= 0 && p <= 1)) {
      throw new DomainError('validation_failed', 'a percentage from 0 to 100', {
        field: 'probability',
      });
    }
    return p;
  };
  switch (kind) {
    case 'forecast': {
      const m = marketView(await requireMarket(c.ctx.store, marketId));
      const p = probability();
      if (m.type === 'binary')
        return forecastMarket(c.ctx, actor, m.id, parse(ForecastRequest, { probability: p }));
      const index = Number(stateText(state, 'outcome'));
      if (!m.outcomes[index])
        throw new DomainError('validation_failed', 'choose an outcome', { field: 'outcome' });
      const mine = (await c.ctx.store.forecastsOfMarket(m.id))
        .filter((f) => f.userId === actor.user.id)
        .at(-1);
      return forecastMarket(
        c.ctx,
        actor,
        m.id,
        parse(ForecastRequest, { probabilities: vectorFor(m, index, p, mine?.probabilities) }),
      );
    }
    case 'buy': {
      const m = marketView(await requireMarket(c.ctx.store, marketId));
      const index = Number(stateText(state, 'outcome') ?? meta.o ?? -1);
      const o = m.outcomes[index];
      if (!o) throw new DomainError('validation_failed', 'choose an outcome', { field: 'outcome' });
      return buyFromChat(c.ctx, actor, m.id, o.id, parseCredits(stateText(state, 'amount') ?? ''));
    }
    case 'close':
      return closeFromChat(c.ctx, actor, marketId);
    case 'resolve': {
      const m = marketView(await requireMarket(c.ctx.store, marketId));
      const choice = stateText(state, 'outcome');
      const outcome = choice === 'cancel' ? 'cancel' : m.outcomes[Number(choice)]?.id;
      if (!outcome)
        throw new DomainError('validation_failed', 'choose what happened', { field: 'outcome' });
      return resolveFromChat(c.ctx, actor, marketId, outcome);
    }
    case 'create': {
      const lines = (stateText(state, 'outcomes') ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      const closes = stateText(state, 'closes') ?? '';
      const req = parse(CreateMarketRequest, {
        question: stateText(state, 'question') ?? '',
        closesAt: /^\d{4}-\d{2}-\d{2}$/.test(closes) ? `${closes}T23:59:59.000Z` : closes,
        ...(lines.length > 0 ? { outcomes: lines } : {}),
        ...(stateText(state, 'criteria') ? { criteria: stateText(state, 'criteria') } : {}),
      });
      const made = await createFromChat(c.ctx, actor, req);
      if ('market' in made) {
        return `Created “${made.market.question}”: ${marketLink(c.channels, made.market.id)}`;
      }
      return `Proposed “${made.proposal.question}”. A reviewer will approve or reject it; see ${c.channels.baseUrl()}/proposals`;
    }
  }
}

export type { KnownBlock };
