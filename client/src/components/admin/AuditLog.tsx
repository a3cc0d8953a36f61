import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, describeError } from '../../api.ts';
import { dateTime } from '../../format.ts';

/** Who did what to which market, newest first. */
export function AuditLog() {
  const q = useQuery({ queryKey: ['audit'], queryFn: api.audit, refetchInterval: 15_000 });
  if (q.error) return <p className="error">{describeError(q.error)}</p>;
  if (!q.data) return <p className="muted">Loading…</p>;
  if (q.data.length === 0) return <p className="muted">Nothing recorded yet.</p>;
  return (
    <div className="panel table-wrap">
      <table data-testid="audit">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Market</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {q.data.map((e) => (
            <tr key={`${e.at}|${e.actor}|${e.action}|${e.marketId ?? ''}`}>
              <td className="nowrap small">{dateTime(e.at)}</td>
              <td>{e.actor}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.marketId ? <Link to={`/markets/${e.marketId}`}>{e.marketId}</Link> : '–'}</td>
              <td className="small detail">{detailText(e.detail)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function detailText(d: unknown): string {
  if (d == null) return '';
  if (typeof d === 'string') return d;
  const s = JSON.stringify(d);
  return s.length > 240 ? `${s.slice(0, 240)}…` : s;
}
