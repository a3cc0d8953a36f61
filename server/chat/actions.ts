import { DomainError, isDomainError } from '../../shared/errors.ts';
import { formatCredits } from '../../shared/money.ts';
import {
  type ChatIdentity,
  type CreateMarketRequest,
  CreateProposalRequest,
  ForecastRequest,
  type Market,
  type Proposal,
  type QuoteResponse,
  ResolveRequest,
  TradeRequest,
} from '../../shared/schemas/index.ts';
import { parse } from '../http/errors.ts';
import { percent } from '../integrations/notification.ts';
import { searchMarkets } from '../integrations/slashCommand.ts';
import {
  ANONYMOUS,
  canSeeMarket,
  type Gate,
  gate,
  type Viewer,
  viewerOf,
} from '../services/access.ts';
import type { Ctx } from '../services/context.ts';
import { isDuplicate } from '../services/context.ts';
import { addForecast, listForecasts } from '../services/forecasts.ts';
import {
  closeMarket,
  createMarket,
  listMarkets,
  marketFromRequest,
  requireMarket,
} from '../services/markets.ts';
import { createProposal } from '../services/proposals.ts';
import { resolveMarket } from '../services/resolution.ts';
import { quote, trade } from '../services/trading.ts';
import { marketView } from '../services/views.ts';
import type { UserRow } from '../store/store.ts';

/**
 * What a member can do from a chat tool, whichever tool it is: each action goes through the
 * same services (validation, authorisation, idempotency) as the HTTP API and answers with
 * plain text the platform escapes and shows.
 */

export interface Actor {
  identity: ChatIdentity;
  user: UserRow;
}

const MARKET_ID = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;
/** "65%", "65 %", "12.5%" or a bare "0.65" at the end of the text. */
const TRAILING_PROBABILITY = /(?:^|\s)(\d{1,3}(?:\.\d+)?)\s*%\s*$|(?:^|\s)(0?\.\d+)\s*$/;

export interface ForecastArgs {
  words: string;
  probability: number;
}

/** Splits `/forecast` text into the market words and the probability. */
export function parseForecastText(text: string): ForecastArgs {
  const m = TRAILING_PROBABILITY.exec(text.trim());
  if (!m) {
    throw new DomainError(
      'validation_failed',
      'end with a probability: /forecast <market id or words> 65%',
      { field: 'probability' },
    );
  }
  const probability = m[1] !== undefined ? Number(m[1]) / 100 : Number(m[2]);
  if (!(probability >= 0 && probability <= 1)) {
    throw new DomainError('validation_failed', 'a probability is between 0% and 100%', {
      field: 'probability',
    });
  }
  const words = text.trim().slice(0, m.index).trim();
  if (!words) {
    throw new DomainError(
      'validation_failed',
      'name the market: /forecast <market id or words> 65%',
      {
        field: 'market',
      },
    );
  }
  return { words, probability };
}

function norm(s: string): string {
  return s.toLowerCase().normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** The outcome whose label the words end with (longest label first), and the words before it. */
function trailingOutcome(m: Market, words: string): { index: number; rest: string } | undefined {
  const w = norm(words);
  const byLength = m.outcomes
    .map((o, index) => ({ label: norm(o.label), index }))
    .sort((a, b) => b.label.length - a.label.length);
  for (const o of byLength) {
    if (w === o.label) return { index: o.index, rest: '' };
    if (w.endsWith(` ${o.label}`)) return { index: o.index, rest: w.slice(0, -o.label.length - 1) };
  }
  return undefined;
}

/**
 * The market and outcome a `/forecast` names: a market id first (any words after it name the
 * outcome), else the best open match of the words, whose last words may name an outcome.
 */
export async function findTarget(
  ctx: Ctx,
  words: string,
  v: Viewer = ANONYMOUS,
): Promise<{ market: Market; outcomeIndex: number | undefined }> {
  const [first = '', ...rest] = words.split(/\s+/);
  const open = await listMarkets(ctx, v, 'open');
  let market = MARKET_ID.test(first) ? open.find((m) => m.id === first) : undefined;
  let outcomeWords = market ? rest.join(' ') : '';
  if (!market && MARKET_ID.test(first) && rest.length === 0) {
    const any = await ctx.store.market(first);
    if (any && (await canSeeMarket(ctx.store, v, any))) {
      throw new DomainError('market_not_open', `“${any.question}” is ${any.status}`);
    }
  }
  if (!market) {
    // A trailing outcome label is part of the words; try the text without it too.
    const candidates = searchMarkets(open, words, 5);
    for (const m of candidates) {
      const t = trailingOutcome(m, words);
      if (t && (t.rest === '' || searchMarkets([m], t.rest, 1).length > 0)) {
        return { market: m, outcomeIndex: t.index };
      }
    }
    market = candidates[0];
    outcomeWords = '';
  }
  if (!market) {
    throw new DomainError('not_found', `no open market matches “${words}”: try /odds ${words}`);
  }
  if (!outcomeWords) return { market, outcomeIndex: undefined };
  const t = trailingOutcome(market, outcomeWords);
  if (t?.rest !== '') {
    throw new DomainError(
      'validation_failed',
      `“${market.question}” has no outcome “${outcomeWords}”: ${market.outcomes.map((o) => o.label).join(', ')}`,
      { field: 'outcome' },
    );
  }
  return { market, outcomeIndex: t.index };
}

/**
 * The full forecast vector when a member names one outcome's probability: the others share
 * the rest in proportion to the member's previous forecast, else to the market's odds.
 */
export function vectorFor(
  m: Market,
  index: number,
  p: number,
  previous: readonly number[] | undefined,
): number[] {
  const base =
    previous && previous.length === m.outcomes.length
      ? previous
      : m.outcomes.map((o) => o.probability);
  const others = base.reduce((s, x, i) => (i === index ? s : s + x), 0);
  const n = m.outcomes.length - 1;
  const v = base.map((x, i) =>
    i === index ? p : others > 0 ? ((1 - p) * x) / others : (1 - p) / n,
  );
  // Exactly 1, whatever the floating point did.
  const sum = v.reduce((a, b) => a + b, 0);
  return v.map((x) => x / sum);
}

/** `/forecast <market> [outcome] NN%`: records the member's forecast. */
export async function forecastFromChat(ctx: Ctx, actor: Actor, text: string): Promise<string> {
  const args = parseForecastText(text);
  const v = await viewerOf(ctx.store, actor.user);
  const { market, outcomeIndex } = await findTarget(ctx, args.words, v);
  let req: ForecastRequest;
  if (market.type === 'binary') {
    // "no 30%" on a binary market is Yes at 70%.
    const p = outcomeIndex === 1 ? 1 - args.probability : args.probability;
    req = parse(ForecastRequest, { probability: p });
  } else {
    if (outcomeIndex === undefined) {
      throw new DomainError(
        'validation_failed',
        `name the outcome: /forecast ${market.id} <outcome> ${Math.round(args.probability * 100)}% (${market.outcomes.map((o) => o.label).join(', ')})`,
        { field: 'outcome' },
      );
    }
    const mine = (await ctx.store.forecastsOfMarket(market.id))
      .filter((f) => f.userId === actor.user.id)
      .at(-1);
    req = parse(ForecastRequest, {
      probabilities: vectorFor(market, outcomeIndex, args.probability, mine?.probabilities),
    });
  }
  return forecastMarket(ctx, actor, market.id, req);
}

/** Records a forecast (from a command or a modal) and says where the community stands. */
export async function forecastMarket(
  ctx: Ctx,
  actor: Actor,
  marketId: string,
  req: ForecastRequest,
): Promise<string> {
  const f = await addForecast(ctx, marketId, req, actor.user, see(ctx, actor.user));
  const [m, all] = await Promise.all([
    requireMarket(ctx.store, marketId),
    listForecasts(ctx, marketId),
  ]);
  const market = marketView(m);
  const mine = describeVector(market, f.probabilities);
  const community = all.community.probabilities
    ? `community forecast ${describeVector(market, all.community.probabilities)} (${all.community.count} forecaster${all.community.count === 1 ? '' : 's'})`
    : 'no community forecast yet';
  return `Recorded your forecast on “${market.question}”: ${mine}. Now: ${community}; market ${describeVector(
    market,
    market.outcomes.map((o) => o.probability),
  )}.`;
}

/** The member's visibility check, run by the service on the market it loads (as over HTTP). */
function see(ctx: Ctx, user: UserRow): Gate {
  return gate(ctx.store, () => viewerOf(ctx.store, user));
}

/** "Yes 65%" for binary markets; the three likeliest outcomes otherwise. */
export function describeVector(m: Market, v: readonly number[]): string {
  if (m.type === 'binary') return `${m.outcomes[0]!.label} ${percent(v[0] ?? 0)}`;
  return m.outcomes
    .map((o, i) => ({ label: o.label, p: v[i] ?? 0, i }))
    .sort((a, b) => b.p - a.p || a.i - b.i)
    .slice(0, 3)
    .map((o) => `${o.label} ${percent(o.p)}`)
    .join(', ');
}

/** Credits as typed in a modal ("25", "12.50") → cents; anything else is refused. */
export function parseCredits(text: string): number {
  const t = text.trim().replace(/,/g, '');
  if (!/^\d{1,9}(?:\.\d{1,2})?$/.test(t) || Number(t) <= 0) {
    throw new DomainError('validation_failed', 'an amount of credits, like 25 or 12.50', {
      field: 'amount',
    });
  }
  return Math.round(Number(t) * 100);
}

export async function quoteFromChat(
  ctx: Ctx,
  user: UserRow,
  marketId: string,
  outcomeId: string,
  amountCents: number,
): Promise<QuoteResponse> {
  const req = parse(TradeRequest, { outcomeId, amountCents });
  return quote(ctx, marketId, req, user, see(ctx, user));
}

export async function buyFromChat(
  ctx: Ctx,
  actor: Actor,
  marketId: string,
  outcomeId: string,
  amountCents: number,
): Promise<string> {
  const req = parse(TradeRequest, { outcomeId, amountCents });
  const r = await trade(ctx, marketId, req, actor.user, see(ctx, actor.user));
  const o = r.market.outcomes.find((x) => x.id === outcomeId)!;
  return `Bought ${r.trade.shares.toFixed(2)} ${o.label} shares in “${r.market.question}” for ${formatCredits(r.trade.costCents)} credits. ${o.label} is now ${percent(o.probability)}; your balance is ${formatCredits(r.user.balanceCents)} credits.`;
}

function requireAdminActor(actor: Actor, what: string): void {
  if (actor.user.role !== 'admin') {
    throw new DomainError('forbidden', `only admins can ${what}`);
  }
}

export async function closeFromChat(ctx: Ctx, actor: Actor, marketId: string): Promise<string> {
  requireAdminActor(actor, 'close markets');
  const m = await closeMarket(
    ctx,
    actor.user.username,
    marketId,
    `closed from ${actor.identity.platform}`,
  );
  return `Closed “${m.question}”. Trading has stopped; resolve it when the answer is known.`;
}

export async function resolveFromChat(
  ctx: Ctx,
  actor: Actor,
  marketId: string,
  outcomeId: string | 'cancel',
): Promise<string> {
  requireAdminActor(actor, 'resolve markets');
  const note = `resolved from ${actor.identity.platform}`;
  const req = parse(
    ResolveRequest,
    outcomeId === 'cancel' ? { cancel: true, note } : { outcomeId, note },
  );
  const { market, payouts } = await resolveMarket(ctx, actor.user.username, marketId, req);
  if (market.status === 'cancelled') {
    return `Cancelled “${market.question}”: every trader was refunded.`;
  }
  const label = market.outcomes.find((o) => o.id === outcomeId)?.label ?? outcomeId;
  return `Resolved “${market.question}” as ${label}; ${payouts.length} trader${payouts.length === 1 ? '' : 's'} paid.`;
}

/**
 * `/parity new`: an admin's question opens as a market at once; anyone else's becomes a
 * proposal for the public site's reviewers.
 */
export async function createFromChat(
  ctx: Ctx,
  actor: Actor,
  req: CreateMarketRequest,
): Promise<{ market: Market } | { proposal: Proposal }> {
  if (actor.user.role === 'admin') {
    return {
      market: await createMarket(ctx, actor.user.username, await marketFromRequest(ctx, req)),
    };
  }
  const proposal = await createProposal(
    ctx,
    await viewerOf(ctx.store, actor.user),
    actor.user,
    parse(CreateProposalRequest, {
      question: req.question,
      criteria: req.criteria ?? '',
      closesAt: req.closesAt,
      ...(req.outcomes ? { outcomes: req.outcomes } : {}),
      ...(req.description ? { description: req.description } : {}),
    }),
  );
  return { proposal };
}

/** A refusal as a sentence for the member; anything unexpected is logged, not shown. */
export function chatErrorText(ctx: Ctx, err: unknown): string {
  if (isDuplicate(err)) return 'That was done already (the request arrived twice).';
  if (isDomainError(err)) {
    switch (err.code) {
      case 'insufficient_funds':
        return 'Not enough credits for that trade.';
      case 'market_not_open':
        return `That market is not open: ${err.message}.`;
      case 'rate_limited':
        return 'Too many actions just now. Wait a minute and try again.';
      case 'busy':
      case 'store_unavailable':
        return 'Parity is busy right now. Try again in a moment.';
      default:
        return `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`;
    }
  }
  ctx.log.error({ err }, 'chat action failed');
  return 'Something went wrong on our side; nothing was changed. Try again in a moment.';
}
