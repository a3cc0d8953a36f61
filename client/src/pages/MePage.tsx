import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Market, MeResponse } from '../../../shared/schemas/index.ts';
import { api, describeError } from '../api.ts';
import { ForecastHistory } from '../components/ForecastHistory.tsx';
import { ProfileStats } from '../components/ProfileStats.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { credits, pct, shares } from '../format.ts';
import { useLiveMarkets } from '../hooks/live.ts';
import { useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';

/** `/me`: portfolio at current prices, forecasts, scores and calibration, API tokens. */
export default function MePage() {
  const { me, isLoading } = useMe();
  usePageTitle('Your portfolio');
  if (isLoading) return <p className="muted loading">Loading…</p>;
  if (!me) {
    return (
      <section className="page narrow panel">
        <h1>Your portfolio</h1>
        <p>Sign in to see your positions, forecasts and scores.</p>
        <Link className="button" to="/login?next=/me">
          Sign in
        </Link>
      </section>
    );
  }
  return <Portfolio me={me} />;
}

function Portfolio({ me }: { me: MeResponse }) {
  const username = me.user.username;
  const profile = useQuery({
    queryKey: ['profile', username],
    queryFn: () => api.profile(username),
  });
  const markets = useQuery({ queryKey: ['markets', 'all'], queryFn: () => api.markets('all') });
  const held = new Set(me.positions.map((p) => p.marketId));
  const live = useLiveMarkets(markets.data?.filter((m) => held.has(m.id)));
  const byId = new Map<string, Market>(live.map((m) => [m.id, m]));
  const rows = me.positions.map((p) => {
    const m = byId.get(p.marketId);
    const o = m?.outcomes.find((x) => x.id === p.outcomeId);
    const price = o?.probability ?? 0;
    const value = Math.round(p.shares * price * 100);
    return { p, m, o, value, pnl: value - p.costCents };
  });
  const invested = rows.reduce((a, r) => a + r.value, 0);
  const pnl = rows.reduce((a, r) => a + r.pnl, 0);
  return (
    <section className="stack">
      <header className="spread">
        <div>
          <h1>{username}</h1>
          <p className="muted">
            {me.user.role === 'admin' ? 'Admin · ' : ''}
            <Link to={`/users/${username}`}>Public profile</Link>
          </p>
        </div>
      </header>
      <dl className="stats panel">
        <div>
          <dt>Cash</dt>
          <dd data-testid="me-balance">{credits(me.user.balanceCents)}</dd>
        </div>
        <div>
          <dt>Positions at current prices</dt>
          <dd>{credits(invested)}</dd>
        </div>
        <div>
          <dt>Net worth</dt>
          <dd>{credits(me.user.balanceCents + invested)}</dd>
        </div>
        <div>
          <dt>Open P&amp;L</dt>
          <dd className={pnl >= 0 ? 'up' : 'down'}>
            {pnl >= 0 ? '+' : ''}
            {credits(pnl)}
          </dd>
        </div>
      </dl>
      <section className="panel" aria-labelledby="pf-h">
        <h2 id="pf-h">Positions</h2>
        {rows.length === 0 ? (
          <p className="muted">
            No positions. <Link to="/">Find a market</Link> you have a view on.
          </p>
        ) : (
          <div className="table-wrap">
            <table data-testid="positions">
              <thead>
                <tr>
                  <th scope="col">Market</th>
                  <th scope="col">Outcome</th>
                  <th scope="col" className="num">
                    Shares
                  </th>
                  <th scope="col" className="num">
                    Avg price
                  </th>
                  <th scope="col" className="num">
                    Price now
                  </th>
                  <th scope="col" className="num">
                    Value
                  </th>
                  <th scope="col" className="num">
                    P&amp;L
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ p, m, o, value, pnl: rowPnl }) => (
                  <tr key={`${p.marketId}:${p.outcomeId}`}>
                    <td>
                      <Link to={`/markets/${p.marketId}`}>{m?.question ?? p.marketId}</Link>{' '}
                      {m && m.status !== 'open' && <StatusBadge market={m} />}
                    </td>
                    <td>{o?.label ?? p.outcomeId}</td>
                    <td className="num">{shares(p.shares)}</td>
                    <td className="num">{credits(Math.round(p.costCents / p.shares))}</td>
                    <td className="num">{pct(o?.probability ?? 0)}</td>
                    <td className="num">{credits(value)}</td>
                    <td className={`num ${rowPnl >= 0 ? 'up' : 'down'}`}>
                      {rowPnl >= 0 ? '+' : ''}
                      {credits(rowPnl)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {profile.error ? <p className="error">{describeError(profile.error)}</p> : null}
      {profile.data && <ProfileStats profile={profile.data} />}
      <ForecastHistory username={username} />
      <ApiTokens />
    </section>
  );
}

/** Creates a personal API token for bots and scripts; it is shown once. */
function ApiTokens() {
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="panel" aria-labelledby="tok-h">
      <h2 id="tok-h">API token</h2>
      <p className="muted small">
        For bots and scripts: send it as <code>Authorization: Bearer …</code>. It is shown only
        once.
      </p>
      {token ? (
        <p className="notice">
          <code className="token">{token}</code>
        </p>
      ) : (
        <button
          type="button"
          className="ghost"
          onClick={() =>
            api.createToken().then(
              (r) => setToken(r.token),
              (e: unknown) => setError(describeError(e)),
            )
          }
        >
          Create a token
        </button>
      )}
      {error && <p className="error">{error}</p>}
    </section>
  );
}
