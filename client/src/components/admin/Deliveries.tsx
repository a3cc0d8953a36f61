import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { type Delivery, DeliveryStatus, type Webhook } from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { dateTime, relative } from '../../format.ts';
import { deliveriesQuery } from '../../listQueries.ts';
import { LoadMore } from '../LoadMore.tsx';

const STATUS_ABOUT: Record<DeliveryStatus, string> = {
  pending: 'Not tried yet, or waiting for its slot',
  retrying: 'Failed; another attempt is scheduled',
  delivered: 'The destination acknowledged it',
  failed: 'Gave up: attempts exhausted or a permanent refusal',
  skipped: 'Nothing left to say when its turn came',
};

/** Where a webhook posts, short enough for a table cell: its kind and host. */
function webhookLabel(id: string, hooks: ReadonlyMap<string, Webhook>): string {
  const w = hooks.get(id);
  if (!w) return `${id} (deleted)`;
  try {
    return `${w.kind} · ${new URL(w.url).host}`;
  } catch {
    return w.kind;
  }
}

/** The team-channel outbox: every notification's status, attempts, last error and next try. */
export function Deliveries() {
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [webhookId, setWebhookId] = useState('');
  const hooks = useQuery({ queryKey: ['webhooks'], queryFn: () => api.webhooks() });
  // The refetch walks every page loaded, so a delivery's new status shows wherever it is.
  const q = useInfiniteQuery({
    ...deliveriesQuery({ ...(status ? { status } : {}), ...(webhookId ? { webhookId } : {}) }),
    refetchInterval: 10_000,
  });
  const deliveries = q.data?.pages.flatMap((p) => p.deliveries);
  const byId = new Map((hooks.data ?? []).map((w) => [w.id, w]));
  return (
    <section className="panel" aria-labelledby="dl-h">
      <div className="spread admin-toolbar">
        <h2 id="dl-h">Deliveries</h2>
        <div className="row">
          <label className="inline-field">
            Status{' '}
            <select
              value={status}
              onChange={(e) => setStatus(e.target.value as DeliveryStatus | '')}
            >
              <option value="">Any</option>
              {DeliveryStatus.options.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label className="inline-field">
            Webhook{' '}
            <select value={webhookId} onChange={(e) => setWebhookId(e.target.value)}>
              <option value="">Any</option>
              {(hooks.data ?? []).map((w) => (
                <option key={w.id} value={w.id}>
                  {webhookLabel(w.id, byId)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="ghost small-btn"
            onClick={() => void q.refetch()}
            disabled={q.isFetching}
            data-testid="deliveries-refresh"
          >
            {q.isFetching ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </div>
      <p className="muted small">
        Each notification is written with the change that caused it and sent by a worker that
        retries with backoff. Newest first; refreshes every 10 seconds
        {q.dataUpdatedAt ? ` (last ${new Date(q.dataUpdatedAt).toLocaleTimeString()})` : ''}.
      </p>
      {q.error && !q.isFetchNextPageError ? (
        <p className="error" role="alert">
          {describeError(q.error)}
        </p>
      ) : null}
      {q.isLoading && <p className="muted">Loading deliveries…</p>}
      {deliveries && deliveries.length === 0 && (
        <p className="muted">
          {status || webhookId
            ? 'No deliveries match.'
            : 'Nothing sent yet: deliveries appear once a webhook has something to post.'}
        </p>
      )}
      {deliveries && deliveries.length > 0 && (
        <div className="table-wrap">
          <table data-testid="deliveries" className="deliveries">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Event</th>
                <th scope="col">Webhook</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last error</th>
                <th scope="col">Next attempt</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <DeliveryRow key={d.id} d={d} webhook={webhookLabel(d.webhookId, byId)} />
              ))}
            </tbody>
          </table>
          <LoadMore list={q} what="deliveries" testId="deliveries-more" />
        </div>
      )}
    </section>
  );
}

function DeliveryRow({ d, webhook }: { d: Delivery; webhook: string }) {
  return (
    <tr data-delivery-id={d.id}>
      <td>
        <span className={`badge delivery-${d.status}`} title={STATUS_ABOUT[d.status]}>
          {d.status}
        </span>
        {d.deliveredAt && (
          <div className="muted small nowrap" title={dateTime(d.deliveredAt)}>
            {relative(d.deliveredAt)}
          </div>
        )}
      </td>
      <td>
        {d.event}
        {d.live ? ' (live edit)' : ''}
        <div className="small">
          <Link to={`/markets/${d.marketId}`}>{d.marketId}</Link>
        </div>
      </td>
      <td className="small">{webhook}</td>
      <td className="num">{d.attempts}</td>
      <td className="small detail">
        {d.lastError ? (
          <>
            {d.lastStatus ? <code>{d.lastStatus}</code> : null} {d.lastError}
          </>
        ) : (
          <span className="muted">–</span>
        )}
      </td>
      <td className="small nowrap" title={d.nextAttemptAt ? dateTime(d.nextAttemptAt) : undefined}>
        {d.nextAttemptAt ? relative(d.nextAttemptAt) : <span className="muted">–</span>}
      </td>
      <td className="small nowrap" title={dateTime(d.createdAt)}>
        {relative(d.createdAt)}
      </td>
    </tr>
  );
}
