import { Router } from 'express';
import { DomainError } from '../../shared/errors.ts';
import { MarketId, Username } from '../../shared/schemas/index.ts';
import { canSeeMarket, requireVisibleMarket, type Viewer } from '../services/access.ts';
import type { Ctx } from '../services/context.ts';
import { type Cell, creditsCell, pages, sendCsv } from '../services/csv.ts';
import { marketScores } from '../services/scores.ts';
import type { MarketRow } from '../store/store.ts';
import { requireAdmin } from './auth.ts';
import { parse } from './errors.ts';
import { viewer } from './viewer.ts';

/**
 * CSV exports of a market's trades, forecasts and scores, of a user's forecasts, and (admins)
 * of every trade, forecast and ledger entry. Newest first, streamed (see services/csv.ts); a
 * private space's market answers 404 to non-members here as everywhere.
 */
export function exportRoutes(ctx: Ctx): Router {
  const r = Router();
  const fileSafe = (id: string) => id.replace(/[^a-z0-9-]/g, '');

  /** A market's outcome label and probabilities, for the columns that name outcomes. */
  const labels = (m: MarketRow) => new Map(m.outcomes.map((o) => [o.id, o.label]));

  r.get('/markets/:id/trades.csv', async (req, res) => {
    const m = await requireVisibleMarket(
      ctx.store,
      await viewer(ctx, req, res),
      parse(MarketId, req.params.id),
    );
    const label = labels(m);
    const index = new Map(m.outcomes.map((o, i) => [o.id, i]));
    async function* rows(): AsyncGenerator<Cell[]> {
      for await (const t of pages((limit, before) => ctx.store.trades(m.id, limit, before))) {
        yield [
          t.id,
          t.createdAt,
          t.username,
          t.outcomeId,
          label.get(t.outcomeId),
          t.shares,
          creditsCell(t.costCents),
          t.probabilities[index.get(t.outcomeId) ?? 0],
        ];
      }
    }
    await sendCsv(
      res,
      `${fileSafe(m.id)}-trades.csv`,
      [
        'id',
        'created_at',
        'username',
        'outcome_id',
        'outcome',
        'shares',
        'cost_credits',
        'probability_after',
      ],
      rows(),
    );
  });

  r.get('/markets/:id/forecasts.csv', async (req, res) => {
    const m = await requireVisibleMarket(
      ctx.store,
      await viewer(ctx, req, res),
      parse(MarketId, req.params.id),
    );
    const all = await ctx.store.forecastsOfMarket(m.id);
    async function* rows(): AsyncGenerator<Cell[]> {
      for (let i = all.length - 1; i >= 0; i--) {
        const f = all[i]!;
        yield [f.id, f.createdAt, f.username, ...f.probabilities, f.comment];
      }
    }
    await sendCsv(
      res,
      `${fileSafe(m.id)}-forecasts.csv`,
      ['id', 'created_at', 'username', ...m.outcomes.map((o) => `p_${o.id}`), 'comment'],
      rows(),
    );
  });

  r.get('/markets/:id/scores.csv', async (req, res) => {
    const m = await requireVisibleMarket(
      ctx.store,
      await viewer(ctx, req, res),
      parse(MarketId, req.params.id),
    );
    const s = await marketScores(ctx, m.id);
    async function* rows(): AsyncGenerator<Cell[]> {
      const line = (
        kind: string,
        who: string,
        x: {
          brier: number | null;
          log: number | null;
          baseline: number | null;
          peer: number | null;
        },
      ): Cell[] => [kind, who, x.brier, x.log, x.baseline, x.peer];
      yield line('market', 'market', s.market);
      yield line('community', 'community', s.community);
      for (const c of s.claims) yield line('claim', c.who, c);
      for (const u of s.users) yield line('user', u.username, u);
    }
    await sendCsv(
      res,
      `${fileSafe(m.id)}-scores.csv`,
      ['kind', 'who', 'brier', 'log', 'baseline', 'peer'],
      rows(),
    );
  });

  r.get('/users/:username/forecasts.csv', async (req, res) => {
    const username = parse(Username, req.params.username);
    const u = await ctx.store.userByUsername(username);
    if (!u) throw new DomainError('not_found', `no user ${username}`);
    const v: Viewer = await viewer(ctx, req, res);
    const markets = new Map<string, MarketRow | null>();
    const visible = async (id: string) => {
      if (!markets.has(id)) {
        const m = await ctx.store.market(id);
        markets.set(id, m && (await canSeeMarket(ctx.store, v, m)) ? m : null);
      }
      return markets.get(id) ?? null;
    };
    async function* rows(): AsyncGenerator<Cell[]> {
      for await (const f of pages((limit, before) =>
        ctx.store.recentForecastsOfUser(u!.id, limit, before),
      )) {
        const m = await visible(f.marketId);
        if (!m) continue;
        yield [
          f.id,
          f.createdAt,
          m.id,
          m.question,
          m.outcomes.map((o, i) => `${o.label}=${f.probabilities[i]}`).join('; '),
          f.comment,
        ];
      }
    }
    await sendCsv(
      res,
      `${username}-forecasts.csv`,
      ['id', 'created_at', 'market_id', 'question', 'probabilities', 'comment'],
      rows(),
    );
  });

  // ---- admins: everything

  r.get('/admin/export/trades.csv', async (_req, res) => {
    requireAdmin(res);
    async function* rows(): AsyncGenerator<Cell[]> {
      for await (const t of pages((limit, before) => ctx.store.allTrades(limit, before))) {
        yield [
          t.id,
          t.createdAt,
          t.marketId,
          t.username,
          t.outcomeId,
          t.shares,
          creditsCell(t.costCents),
        ];
      }
    }
    await sendCsv(
      res,
      'parity-trades.csv',
      ['id', 'created_at', 'market_id', 'username', 'outcome_id', 'shares', 'cost_credits'],
      rows(),
    );
  });

  r.get('/admin/export/forecasts.csv', async (_req, res) => {
    requireAdmin(res);
    async function* rows(): AsyncGenerator<Cell[]> {
      for await (const f of pages((limit, before) => ctx.store.allForecasts(limit, before))) {
        yield [f.id, f.createdAt, f.marketId, f.username, f.probabilities.join(';'), f.comment];
      }
    }
    await sendCsv(
      res,
      'parity-forecasts.csv',
      ['id', 'created_at', 'market_id', 'username', 'probabilities', 'comment'],
      rows(),
    );
  });

  r.get('/admin/export/ledger.csv', async (_req, res) => {
    requireAdmin(res);
    async function* rows(): AsyncGenerator<Cell[]> {
      for await (const e of pages((limit, before) => ctx.store.ledgerLines(limit, before))) {
        yield [
          e.id,
          e.txId,
          e.at,
          e.kind,
          e.marketId,
          e.ref,
          e.account,
          creditsCell(e.amountCents),
        ];
      }
    }
    await sendCsv(
      res,
      'parity-ledger.csv',
      ['entry_id', 'tx_id', 'created_at', 'kind', 'market_id', 'ref', 'account', 'amount_credits'],
      rows(),
    );
  });

  return r;
}
