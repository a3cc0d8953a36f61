import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  CreateWebhookRequest,
  type Webhook,
  type WebhookEvent,
  type WebhookKind,
} from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { dateTime, relative } from '../../format.ts';
import { useSpaces } from '../../hooks/useSpaces.ts';
import { CopyButton } from '../CopyButton.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';

const KINDS: WebhookKind[] = ['slack', 'discord', 'teams', 'generic'];
const EVENTS: { id: WebhookEvent; label: string }[] = [
  { id: 'created', label: 'Market created' },
  { id: 'moved', label: 'Odds moved' },
  { id: 'closing', label: 'Closing soon' },
  { id: 'resolved', label: 'Resolved' },
];

const PLACEHOLDER: Record<WebhookKind, string> = {
  slack: 'https://hooks.slack.com/services/…',
  discord: 'https://discord.com/api/webhooks/…',
  teams: 'https://….logic.azure.com/workflows/…',
  generic: 'https://example.com/parity-hook',
};

const FIELD: Record<string, string> = {
  url: 'URL',
  events: 'Events',
  minMove: 'Smallest move',
  marketIds: 'Market ids',
  kind: 'Kind',
  mode: 'Mode',
};

/** Team-channel webhooks: list, create (the signing secret is shown once) and delete. */
export function Webhooks() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['webhooks'], queryFn: api.webhooks });
  const [kind, setKind] = useState<WebhookKind>('slack');
  const [url, setUrl] = useState('');
  const [mode, setMode] = useState<'post' | 'live'>('post');
  const [events, setEvents] = useState<WebhookEvent[]>(['created', 'moved', 'closing', 'resolved']);
  const [minMove, setMinMove] = useState('5');
  const [marketIds, setMarketIds] = useState('');
  const [spaceId, setSpaceId] = useState('');
  const spaces = useSpaces();
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Webhook | null>(null);

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
      ...(spaceId ? { spaceId } : {}),
    });
    if (!parsed.success) {
      setError(
        parsed.error.issues
          .map((i) => `${FIELD[String(i.path[0])] ?? String(i.path[0] ?? 'Form')}: ${i.message}`)
          .join('; '),
      );
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
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="wh-h">
        <h2 id="wh-h">Webhooks</h2>
        {list.error ? <p className="error">{describeError(list.error)}</p> : null}
        {list.data && list.data.length === 0 && <p className="muted">No webhooks yet.</p>}
        {list.data && list.data.length > 0 && (
          <div className="table-wrap">
            <table data-testid="webhooks" className="webhooks-table">
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">URL</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Events</th>
                  <th scope="col">Markets</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="sr-label">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((w) => (
                  <tr key={w.id}>
                    <td data-label="Kind">
                      <span className="badge">{w.kind}</span>
                    </td>
                    <td className="url-cell" data-label="URL">
                      {w.url}
                    </td>
                    <td data-label="Mode">{w.mode}</td>
                    <td className="small" data-label="Events">
                      {w.events.join(', ')}
                      {w.events.includes('moved') && ` (≥ ${Math.round(w.minMove * 100)} pts)`}
                    </td>
                    <td className="small" data-label="Markets">
                      {w.marketIds ? w.marketIds.join(', ') : 'all'}
                      {' of '}
                      {w.spaceId
                        ? (spaces.data?.find((sp) => sp.id === w.spaceId)?.name ?? w.spaceId)
                        : 'the public site'}
                    </td>
                    <td className="small nowrap" title={dateTime(w.createdAt)} data-label="Added">
                      {relative(w.createdAt)}
                    </td>
                    <td className="actions-cell">
                      <button
                        type="button"
                        className="ghost small-btn"
                        onClick={() => setRemoving(w)}
                        aria-label={`Delete the ${w.kind} webhook to ${w.url}`}
                        data-testid={`webhook-delete-${w.id}`}
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
            placeholder={PLACEHOLDER[kind]}
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
          <label htmlFor="wh-space">Markets of</label>
          <select
            id="wh-space"
            value={spaceId}
            onChange={(e) => setSpaceId(e.target.value)}
            data-testid="webhook-space"
          >
            <option value="">the public site</option>
            {(spaces.data ?? []).map((sp) => (
              <option key={sp.id} value={sp.id}>
                {sp.name} ({sp.visibility})
              </option>
            ))}
          </select>
          <p className="muted small">
            A webhook posts the markets of one space, or of the public site: a private space's
            markets reach only the channels set up for it.
          </p>
        </div>
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
          <div className="notice secret-box" role="status" data-testid="webhook-secret">
            <p className="small">
              Webhook added. Its signing secret is shown only now: generic posts carry{' '}
              <code>X-Parity-Signature: sha256=HMAC(secret, "timestamp.body")</code>.
            </p>
            <div className="secret-row">
              <code className="token">{secret}</code>
              <CopyButton text={secret} label="Copy secret" />
            </div>
          </div>
        )}
        <button type="submit">Add webhook</button>
      </form>
      {removing && (
        <ConfirmDialog
          title="Delete this webhook?"
          confirmLabel="Delete webhook"
          danger
          testId="webhook-delete-dialog"
          onConfirm={async () => {
            await api.deleteWebhook(removing.id);
            await qc.invalidateQueries({ queryKey: ['webhooks'] });
          }}
          onClose={() => setRemoving(null)}
        >
          <p>
            {removing.kind} to <code className="token">{removing.url}</code>. Pending deliveries to
            it stop.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
