import { Link } from 'react-router-dom';
import { credits, pct, shares } from '../../format.ts';
import { StatusBadge } from '../StatusBadge.tsx';
import type { MarketGroup, Totals } from './valuation.ts';
import './portfolio.css';

/** "+1.20 cr" / "-3.00 cr" with the colour of its sign; a dash when unknown. */
export function Signed({ cents }: { cents: number | null }) {
  if (cents == null) return <span className="muted">–</span>;
  return (
    <span className={cents > 0 ? 'up' : cents < 0 ? 'down' : 'muted'}>
      {cents > 0 ? '+' : ''}
      {credits(cents)}
    </span>
  );
}

const money = (cents: number | null) => (cents == null ? '–' : credits(cents));

/**
 * Positions grouped by market. `open`: unrealised, valued at the outcome's price now.
 * `settled`: resolved (what the shares paid) or cancelled (net cost refunded per market).
 */
export function PositionsTable({
  groups,
  totals,
  kind,
  testId,
}: {
  groups: readonly MarketGroup[];
  totals: Totals;
  kind: 'open' | 'settled';
  testId?: string;
}) {
  const open = kind === 'open';
  return (
    <div className="table-wrap">
      <table className="positions" data-testid={testId}>
        <caption className="sr-label">
          {open
            ? 'Open positions by market, valued at current prices'
            : 'Settled positions by market, with what they paid'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Outcome</th>
            <th scope="col" className="num">
              Shares
            </th>
            <th scope="col" className="num">
              Cost basis
            </th>
            {open && (
              <th scope="col" className="num">
                Price now
              </th>
            )}
            <th scope="col" className="num">
              {open ? 'Value' : 'Paid'}
            </th>
            <th scope="col" className="num">
              {open ? 'Unrealised P&L' : 'Realised P&L'}
            </th>
          </tr>
        </thead>
        {groups.map((g) => (
          <tbody key={g.marketId} className="pos-group">
            <tr className="pos-market">
              <th scope="rowgroup" colSpan={open ? 6 : 5}>
                <div className="pos-market-head">
                  <span>
                    <Link to={`/markets/${g.marketId}`}>{g.market?.question ?? g.marketId}</Link>{' '}
                    {g.market && g.market.status !== 'open' && <StatusBadge market={g.market} />}
                  </span>
                  {g.lines.length > 1 || g.market?.status === 'cancelled' ? (
                    <span className="pos-subtotal small">
                      {g.market?.status === 'cancelled' ? 'Refunded' : open ? 'Value' : 'Paid'}{' '}
                      {money(g.valueCents)} · <Signed cents={g.pnlCents} />
                    </span>
                  ) : null}
                </div>
              </th>
            </tr>
            {g.lines.map((l) => (
              <tr key={l.outcomeId}>
                <td data-label="Outcome">{l.label}</td>
                <td data-label="Shares" className="num">
                  {shares(l.shares)}
                </td>
                <td
                  data-label="Cost basis"
                  className="num"
                  title={
                    l.shares > 0
                      ? `Average ${credits(Math.round(l.costCents / l.shares))} a share`
                      : undefined
                  }
                >
                  {credits(l.costCents)}
                </td>
                {open && (
                  <td data-label="Price now" className="num">
                    {l.price == null ? '–' : pct(l.price)}
                  </td>
                )}
                <td data-label={open ? 'Value' : 'Paid'} className="num">
                  {money(l.valueCents)}
                </td>
                <td data-label="P&L" className="num">
                  <Signed cents={l.pnlCents} />
                </td>
              </tr>
            ))}
          </tbody>
        ))}
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td className="num" />
            <td data-label="Cost basis" className="num">
              {credits(totals.costCents)}
            </td>
            {open && <td className="num" />}
            <td data-label={open ? 'Value' : 'Paid'} className="num strong">
              {credits(totals.valueCents)}
            </td>
            <td data-label="P&L" className="num strong">
              <Signed cents={totals.pnlCents} />
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
