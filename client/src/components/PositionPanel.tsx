import type { Market, MeResponse } from '../../../shared/schemas/index.ts';
import { credits, shares } from '../format.ts';

/** The signed-in user's shares in this market, valued at the current price, with P&L. */
export function PositionPanel({ market, me }: { market: Market; me: MeResponse | null }) {
  const mine = (me?.positions ?? []).filter((p) => p.marketId === market.id);
  if (mine.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="pos-h" data-testid="position">
      <h2 id="pos-h">Your position</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Outcome</th>
            <th scope="col" className="num">
              Shares
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
          {mine.map((p) => {
            const o = market.outcomes.find((x) => x.id === p.outcomeId);
            const value = Math.round(p.shares * (o?.probability ?? 0) * 100);
            const pnl = value - p.costCents;
            return (
              <tr key={p.outcomeId}>
                <td>{o?.label ?? p.outcomeId}</td>
                <td className="num">{shares(p.shares)}</td>
                <td className="num">{credits(value)}</td>
                <td className={`num ${pnl >= 0 ? 'up' : 'down'}`}>
                  {pnl >= 0 ? '+' : ''}
                  {credits(pnl)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small">Each share pays 1 credit if its outcome happens.</p>
    </section>
  );
}
