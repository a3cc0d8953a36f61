import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { describeError } from '../../api.ts';
import { dateTime } from '../../format.ts';
import { auditQuery } from '../../listQueries.ts';
import { LoadMore } from '../LoadMore.tsx';

/** Who did what to which market, newest first; older entries load as the table's end shows. */
export function AuditLog() {
  // The refetch walks every page loaded, from the newest, so new entries show up on top.
  const q = useInfiniteQuery({ ...auditQuery(), refetchInterval: 15_000 });
  // Entries have no id; the cursors hand each out once, so the pages are simply joined.
  const entries = q.data?.pages.flatMap((p) => p.entries);
  if (q.error && !entries) return <p className="error">{describeError(q.error)}</p>;
  if (!entries) return <p className="muted">Loading…</p>;
  if (entries.length === 0) return <p className="muted">Nothing recorded yet.</p>;
  const keys = rowKeys(entries.map((e) => `${e.at}|${e.actor}|${e.action}|${e.marketId ?? ''}`));
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
          {entries.map((e, i) => (
            <tr key={keys[i]}>
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
      <LoadMore list={q} what="entries" testId="audit-more" />
    </div>
  );
}

/** Row keys from what each entry says, numbered where two say the same (same millisecond). */
function rowKeys(bases: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return bases.map((b) => {
    const n = seen.get(b) ?? 0;
    seen.set(b, n + 1);
    return n ? `${b}|${n}` : b;
  });
}

function detailText(d: unknown): string {
  if (d == null) return '';
  if (typeof d === 'string') return d;
  const s = JSON.stringify(d);
  return s.length > 240 ? `${s.slice(0, 240)}…` : s;
}
