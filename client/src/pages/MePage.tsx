import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link, Navigate } from 'react-router-dom';
import type { Market, MeResponse } from '../../../shared/schemas/index.ts';
import { api, describeError } from '../api.ts';
import { ApiToken } from '../components/ApiToken.tsx';
import { ChatAccounts } from '../components/ChatAccounts.tsx';
import { CsvDownloads } from '../components/CsvDownloads.tsx';
import { ForecastHistory } from '../components/ForecastHistory.tsx';
import { ProfileStats } from '../components/ProfileStats.tsx';
import { PositionsTable, Signed } from '../components/portfolio/PositionsTable.tsx';
import { valuePortfolio } from '../components/portfolio/valuation.ts';
import { credits, date } from '../format.ts';
import { useLiveMarkets } from '../hooks/live.ts';
import { useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import './me.css';

/**
 * `/me`: cash, positions at current prices, settled positions, scores, forecasts, linked chat
 * accounts, API token.
 */
export default function MePage() {
  const { me, isLoading } = useMe();
  usePageTitle('Your portfolio');
  if (isLoading) {
    return (
      <p className="muted loading" aria-live="polite">
        Loading your portfolio…
      </p>
    );
  }
  if (!me) return <Navigate to="/login?next=/me" replace />;
  return <Portfolio me={me} />;
}

function Portfolio({ me }: { me: MeResponse }) {
  const qc = useQueryClient();
  const username = me.user.username;
  const profile = useQuery({
    queryKey: ['profile', username],
    queryFn: () => api.profile(username),
  });
  const markets = useQuery({ queryKey: ['markets', 'all'], queryFn: () => api.markets('all') });
  const held = new Set(me.positions.map((p) => p.marketId));
  // Only the markets held are kept live: their prices value the portfolio.
  const live = useLiveMarkets(markets.data?.filter((m) => held.has(m.id)));
  const byId = new Map<string, Market>(live.map((m) => [m.id, m]));
  const pf = valuePortfolio(me.positions, byId);

  // A position in a market created after the list loaded: fetch the list again, once per gap.
  const missing = markets.data ? [...held].filter((id) => !byId.has(id)).join(',') : '';
  const refetched = useRef('');
  useEffect(() => {
    if (missing && refetched.current !== missing) {
      refetched.current = missing;
      void qc.invalidateQueries({ queryKey: ['markets', 'all'] });
    }
  }, [missing, qc]);

  const cash = me.user.balanceCents;
  const worth = cash + pf.openTotals.valueCents;
  return (
    <section className="stack me-page">
      <header className="me-head">
        <div>
          <h1>{username}</h1>
          <p className="muted">
            {me.user.role === 'admin' ? 'Admin · ' : ''}Joined {date(me.user.createdAt)} ·{' '}
            <Link to={`/users/${username}`}>Public profile</Link>
          </p>
        </div>
      </header>

      <dl className="stats panel me-stats" aria-label="Your money">
        <div>
          <dt>Cash</dt>
          <dd data-testid="me-balance" aria-live="polite">
            {credits(cash)}
          </dd>
        </div>
        <div>
          <dt>Positions at current prices</dt>
          <dd data-testid="me-positions-value">{credits(pf.openTotals.valueCents)}</dd>
        </div>
        <div>
          <dt>Net worth</dt>
          <dd data-testid="me-net-worth">{credits(worth)}</dd>
        </div>
        <div>
          <dt>Unrealised P&amp;L</dt>
          <dd data-testid="me-unrealised">
            <Signed cents={pf.openTotals.pnlCents} />
          </dd>
        </div>
        <div>
          <dt title="Cash minus grants, plus open positions at current prices: everything won or lost trading.">
            Profit, all time
          </dt>
          <dd>{profile.data ? <Signed cents={profile.data.stats.profitCents} /> : '…'}</dd>
        </div>
      </dl>

      <section className="panel" aria-labelledby="pf-h" data-testid="positions">
        <div className="spread">
          <h2 id="pf-h">Positions</h2>
          {pf.open.length > 0 && (
            <p className="muted small">Valued at each outcome's price now; updates live.</p>
          )}
        </div>
        {markets.error ? (
          <p className="error">Prices could not be loaded: {describeError(markets.error)}</p>
        ) : null}
        {pf.open.length === 0 ? (
          <p className="muted">
            No open positions. <Link to="/">Find a market</Link> you have a view on.
          </p>
        ) : (
          <PositionsTable
            groups={pf.open}
            totals={pf.openTotals}
            kind="open"
            testId="positions-table"
          />
        )}
      </section>

      {pf.settled.length > 0 && (
        <section className="panel" aria-labelledby="settled-h">
          <div className="spread">
            <h2 id="settled-h">Settled positions</h2>
            <p className="small">
              Paid {credits(pf.settledTotals.valueCents)} ·{' '}
              <Signed cents={pf.settledTotals.pnlCents} />
            </p>
          </div>
          <p className="muted small">
            Resolved markets paid 1 credit per winning share; cancelled ones refunded each trader's
            net cost. This money is already in your cash.
          </p>
          <details className="settled">
            <summary>
              Show {pf.settled.length} settled {pf.settled.length === 1 ? 'market' : 'markets'}
            </summary>
            <PositionsTable
              groups={pf.settled}
              totals={pf.settledTotals}
              kind="settled"
              testId="settled-table"
            />
          </details>
        </section>
      )}

      {profile.error ? <p className="error">{describeError(profile.error)}</p> : null}
      {profile.data && <ProfileStats profile={profile.data} />}
      <ForecastHistory username={username} />
      <CsvDownloads
        title="Download as CSV"
        testId="me-csv"
        files={[
          {
            label: 'my forecasts',
            href: `/api/users/${encodeURIComponent(username)}/forecasts.csv`,
          },
        ]}
      />
      <ChatAccounts admin={me.user.role === 'admin'} />
      <ApiToken />
    </section>
  );
}
