import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  CreateWebhookRequest,
  type WebhookEvent,
  type WebhookKind,
} from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { dateTime, relative } from '../../format.ts';

const KINDS: WebhookKind[] = ['slack', 'discord', 'teams', 'generic'];
const EVENTS: { id: WebhookEvent; label: string }[] = [
  { id: 'created', label: 'Market created' },
  { id: 'moved', label: 'Odds moved' },
  { id: 'closing', label: 'Closing soon' },
  { id: 'resolved', label: 'Resolved' },
];

/** Team-channel webhooks: create (the signing secret is shown once), delete, and deliveries. */
export function Webhooks() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['webhooks'], queryFn: api.webhooks });
  const deliveries = useQuery({
    queryKey: ['deliveries'],
    queryFn: api.deliveries,
    refetchInterval: 5_000,
  });
  const [kind, setKind] = useState<WebhookKind>('slack');
  const [url, setUrl] = useState('');
  const [mode, setMode] = useState<'post' | 'live'>('post');
  const [events, setEvents] = useState<WebhookEvent[]>(['created', 'moved', 'closing', 'resolved']);
  const [minMove, setMinMove] = useState('5');
  const [marketIds, setMarketIds] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const create = async () => {
    setError(null);
    setSecret(null);
    const ids = marketIds
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const parsed = CreateWebhookRequest.safeParse({
      kind,
      url: url.trim(),
      mode,
      events,
      minMove: Number(minMove) / 100,
      ...(ids.length ? { marketIds: ids } : {}),
    });
    if (!parsed.success) {
      setError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return;
    }
    try {
      const res = await api.createWebhook(parsed.data);
      setSecret(res.secret);
      setUrl('');
      await qc.invalidateQueries({ queryKey: ['webhooks'] });
    } catch (e) {
      setError(describeError(e));
    }
  };
  const remove = async (id: string) => {
    if (!window.confirm('Delete this webhook? Pending deliveries to it stop.')) return;
    try {
      await api.deleteWebhook(id);
      await qc.invalidateQueries({ queryKey: ['webhooks'] });
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <div className="stack">
      <section className="panel" aria-labelledby="wh-h">
        <h2 id="wh-h">Webhooks</h2>
        {list.error ? <p className="error">{describeError(list.error)}</p> : null}
        {list.data && list.data.length === 0 && <p className="muted">No webhooks yet.</p>}
        {list.data && list.data.length > 0 && (
          <div className="table-wrap">
            <table data-testid="webhooks">
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">URL</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Events</th>
                  <th scope="col">Markets</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {list.data.map((w) => (
                  <tr key={w.id}>
                    <td>{w.kind}</td>
                    <td className="url-cell">{w.url}</td>
                    <td>{w.mode}</td>
                    <td className="small">
                      {w.events.join(', ')}
                      {w.events.includes('moved') && ` (≥ ${Math.round(w.minMove * 100)} pts)`}
                    </td>
                    <td className="small">{w.marketIds ? w.marketIds.join(', ') : 'all'}</td>
                    <td>
                      <button
                        type="button"
                        className="ghost small-btn"
                        onClick={() => remove(w.id)}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <form
        className="panel"
        aria-labelledby="wh-new-h"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <h2 id="wh-new-h">Add a webhook</h2>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="wh-kind">Kind</label>
            <select
              id="wh-kind"
              value={kind}
              onChange={(e) => setKind(e.target.value as WebhookKind)}
            >
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="wh-mode">Mode</label>
            <select
              id="wh-mode"
              value={mode}
              onChange={(e) => setMode(e.target.value as 'post' | 'live')}
            >
              <option value="post">post: one message per event</option>
              <option value="live">live: one message per market, edited as odds move</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="wh-move">Smallest move to post (points)</label>
            <input
              id="wh-move"
              inputMode="decimal"
              value={minMove}
              onChange={(e) => setMinMove(e.target.value)}
            />
          </div>
        </div>
        <div className="field">
          <label htmlFor="wh-url">URL</label>
          <input
            id="wh-url"
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://hooks.slack.com/services/…"
          />
        </div>
        <fieldset className="field">
          <legend>Events</legend>
          <div className="row">
            {EVENTS.map((ev) => (
              <label key={ev.id} className="check">
                <input
                  type="checkbox"
                  checked={events.includes(ev.id)}
                  onChange={(e) =>
                    setEvents(
                      e.target.checked ? [...events, ev.id] : events.filter((x) => x !== ev.id),
                    )
                  }
                />{' '}
                {ev.label}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="wh-markets">Only these market ids (comma-separated; empty for all)</label>
          <input id="wh-markets" value={marketIds} onChange={(e) => setMarketIds(e.target.value)} />
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {secret && (
          <p className="notice" role="status">
            Created. Signing secret (shown once): <code className="token">{secret}</code>
          </p>
        )}
        <button type="submit">Add webhook</button>
      </form>
      <section className="panel" aria-labelledby="dl-h">
        <h2 id="dl-h">Deliveries</h2>
        {deliveries.error ? <p className="error">{describeError(deliveries.error)}</p> : null}
        {deliveries.data && deliveries.data.length === 0 && (
          <p className="muted">Nothing sent yet.</p>
        )}
        {deliveries.data && deliveries.data.length > 0 && (
          <div className="table-wrap">
            <table data-testid="deliveries">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">Market</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Last error / next try</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.data.map((d) => (
                  <tr key={d.id}>
                    <td className="nowrap small" title={dateTime(d.createdAt)}>
                      {relative(d.createdAt)}
                    </td>
                    <td>
                      {d.kind} · {d.event}
                      {d.live ? ' (live)' : ''}
                    </td>
                    <td className="small">{d.marketId}</td>
                    <td>
                      <span className={`badge delivery-${d.status}`}>{d.status}</span>
                    </td>
                    <td className="num">{d.attempts}</td>
                    <td className="small">
                      {d.lastError ?? ''}
                      {d.nextAttemptAt ? ` · next ${relative(d.nextAttemptAt)}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
