import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import {
  type ClaimInput,
  CreateMarketRequest,
  type Market,
} from '../../../../shared/schemas/index.ts';
import { api, describeError } from '../../api.ts';
import { isoOf, localInputOf } from '../../lib/localTime.ts';
import { outcomeIdsOf } from '../../lib/outcomeIds.ts';

interface ClaimDraft {
  /** A stable React key. */
  key: number;
  who: string;
  said: string;
  source: string;
  date: string;
  outcomeId: string;
  probability: string;
  note: string;
}

let nextKey = 0;
const newKey = () => ++nextKey;

const emptyClaim = (outcomeId: string): ClaimDraft => ({
  key: newKey(),
  who: '',
  said: '',
  source: '',
  date: new Date().toISOString().slice(0, 10),
  outcomeId,
  probability: '50',
  note: '',
});

const LABELS: Record<string, string> = {
  question: 'Question',
  description: 'Description',
  criteria: 'Resolution criteria',
  tags: 'Tags',
  outcomes: 'Outcomes',
  liquidity: 'Liquidity',
  closesAt: 'Closes at',
  id: 'Id',
  claims: 'Claim',
};
const CLAIM_LABELS: Record<string, string> = {
  who: 'who',
  said: 'what they said',
  source: 'source',
  date: 'date',
  outcomeId: 'outcome',
  probability: 'read as (%)',
  note: 'how it was read',
};

/** A schema issue in the form's own words: "Claim 2, source: …", "Tags: …". */
function issueText(i: { path: PropertyKey[]; message: string }): string {
  const [field, index, sub] = i.path.map(String);
  const label = LABELS[field ?? ''] ?? 'Form';
  if (field === 'claims' && index !== undefined) {
    return `Claim ${Number(index) + 1}${sub ? `, ${CLAIM_LABELS[sub] ?? sub}` : ''}: ${i.message}`;
  }
  if (field === 'tags') return `${label}: lowercase letters, digits and hyphens, up to 30 each`;
  if (field === 'closesAt') return `${label}: choose a date and time`;
  return `${label}: ${i.message}`;
}

/**
 * A new binary or multiple-choice market, with liquidity, close time and the claims on it; with
 * `spaceId`, in that space (its moderators and owners may create them).
 */
export function CreateMarketForm({ spaceId }: { spaceId?: string } = {}) {
  const qc = useQueryClient();
  const [question, setQuestion] = useState('');
  const [description, setDescription] = useState('');
  const [criteria, setCriteria] = useState('');
  const [tags, setTags] = useState('');
  const [type, setType] = useState<'binary' | 'multiple'>('binary');
  const [drafts, setDrafts] = useState(() =>
    [newKey(), newKey(), newKey()].map((key) => ({ key, label: '' })),
  );
  const outcomes = drafts.map((d) => d.label);
  const [liquidity, setLiquidity] = useState('100');
  const [closesAt, setClosesAt] = useState(() =>
    localInputOf(new Date(Date.now() + 30 * 86_400_000)),
  );
  const [id, setId] = useState('');
  const [claims, setClaims] = useState<ClaimDraft[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const [created, setCreated] = useState<Market | null>(null);
  const [pending, setPending] = useState(false);

  const outcomeIds =
    type === 'binary' ? ['yes', 'no'] : outcomeIdsOf(outcomes.filter((o) => o.trim()));
  const outcomeLabels = type === 'binary' ? ['Yes', 'No'] : outcomes.filter((o) => o.trim());

  const submit = async () => {
    setErrors([]);
    setCreated(null);
    const body = {
      question,
      ...(description.trim() ? { description } : {}),
      ...(criteria.trim() ? { criteria } : {}),
      ...(tags.trim()
        ? {
            tags: tags
              .split(',')
              .map((t) => t.trim().toLowerCase().replace(/\s+/g, '-'))
              .filter(Boolean),
          }
        : {}),
      type,
      ...(type === 'multiple' ? { outcomes: outcomes.map((o) => o.trim()).filter(Boolean) } : {}),
      liquidity: Number(liquidity),
      // datetime-local is local time; the API wants UTC.
      closesAt: isoOf(closesAt),
      ...(id.trim() ? { id: id.trim() } : {}),
      ...(spaceId ? { spaceId } : {}),
      ...(claims.length
        ? {
            claims: claims.map(
              (c): ClaimInput => ({
                who: c.who.trim(),
                said: c.said.trim(),
                source: c.source.trim(),
                date: c.date,
                outcomeId: outcomeIds.includes(c.outcomeId) ? c.outcomeId : (outcomeIds[0] ?? ''),
                probability: Number(c.probability) / 100,
                ...(c.note.trim() ? { note: c.note.trim() } : {}),
              }),
            ),
          }
        : {}),
    };
    const parsed = CreateMarketRequest.safeParse(body);
    if (!parsed.success) {
      setErrors(parsed.error.issues.map(issueText));
      return;
    }
    setPending(true);
    try {
      const m = await api.createMarket(parsed.data);
      setCreated(m);
      await qc.invalidateQueries({ queryKey: ['markets'] });
      setQuestion('');
      setDescription('');
      setCriteria('');
      setClaims([]);
      setId('');
    } catch (e) {
      setErrors([describeError(e)]);
    } finally {
      setPending(false);
    }
  };

  const setClaim = (i: number, patch: Partial<ClaimDraft>) =>
    setClaims(claims.map((c, k) => (k === i ? { ...c, ...patch } : c)));

  return (
    <form
      className="panel stack"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      aria-labelledby="create-h"
    >
      <h2 id="create-h">New market</h2>
      <div className="field">
        <label htmlFor="cm-question">Question</label>
        <input
          id="cm-question"
          value={question}
          onChange={(e) => setQuestion(e.target.value)}
          maxLength={300}
          placeholder="Will … by …?"
          required
        />
      </div>
      <div className="field">
        <label htmlFor="cm-description">Description</label>
        <textarea
          id="cm-description"
          rows={3}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="cm-criteria">Resolution criteria</label>
        <textarea
          id="cm-criteria"
          rows={3}
          value={criteria}
          onChange={(e) => setCriteria(e.target.value)}
          placeholder="Resolves YES if …"
        />
      </div>
      <div className="form-grid">
        <fieldset className="field">
          <legend>Type</legend>
          <div className="segmented">
            <button
              type="button"
              aria-pressed={type === 'binary'}
              onClick={() => setType('binary')}
            >
              Yes / No
            </button>
            <button
              type="button"
              aria-pressed={type === 'multiple'}
              onClick={() => setType('multiple')}
            >
              Multiple choice
            </button>
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="cm-liquidity">Liquidity b (shares)</label>
          <input
            id="cm-liquidity"
            inputMode="decimal"
            value={liquidity}
            onChange={(e) => setLiquidity(e.target.value)}
            aria-describedby="cm-liq-hint"
          />
          <p id="cm-liq-hint" className="muted small">
            Higher b: deeper market, odds move less per credit. The house risks b × ln(n).
          </p>
        </div>
        <div className="field">
          <label htmlFor="cm-closes">Closes at (your time)</label>
          <input
            id="cm-closes"
            type="datetime-local"
            value={closesAt}
            onChange={(e) => setClosesAt(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="cm-tags">Tags (comma-separated)</label>
          <input
            id="cm-tags"
            value={tags}
            onChange={(e) => setTags(e.target.value)}
            placeholder="china, benchmarks"
          />
        </div>
        <div className="field">
          <label htmlFor="cm-id">Id (optional slug)</label>
          <input id="cm-id" value={id} onChange={(e) => setId(e.target.value)} />
        </div>
      </div>
      {type === 'multiple' && (
        <fieldset className="field">
          <legend>Outcomes (2–20)</legend>
          {drafts.map((d, i) => (
            <div className="row nowrap list-row" key={d.key}>
              <input
                aria-label={`Outcome ${i + 1}`}
                value={d.label}
                onChange={(e) =>
                  setDrafts(
                    drafts.map((x) => (x.key === d.key ? { ...x, label: e.target.value } : x)),
                  )
                }
              />
              <button
                type="button"
                className="ghost small-btn"
                aria-label={`Remove outcome ${i + 1}`}
                onClick={() => setDrafts(drafts.filter((x) => x.key !== d.key))}
                disabled={drafts.length <= 2}
              >
                ✕
              </button>
            </div>
          ))}
          <button
            type="button"
            className="ghost small-btn"
            onClick={() => setDrafts([...drafts, { key: newKey(), label: '' }])}
            disabled={drafts.length >= 20}
          >
            Add outcome
          </button>
        </fieldset>
      )}
      <fieldset className="field">
        <legend>Claims</legend>
        <p className="muted small">
          What people said about the question, each read as a probability of one outcome. They are
          drawn on the chart and scored when it resolves.
        </p>
        {claims.map((c, i) => (
          <div className="claim-draft" key={c.key}>
            <div className="form-grid">
              <div className="field">
                <label htmlFor={`cl-who-${i}`}>Who</label>
                <input
                  id={`cl-who-${i}`}
                  value={c.who}
                  onChange={(e) => setClaim(i, { who: e.target.value })}
                />
              </div>
              <div className="field">
                <label htmlFor={`cl-date-${i}`}>Date</label>
                <input
                  id={`cl-date-${i}`}
                  type="date"
                  value={c.date}
                  onChange={(e) => setClaim(i, { date: e.target.value })}
                />
              </div>
              <div className="field">
                <label htmlFor={`cl-source-${i}`}>Source</label>
                <input
                  id={`cl-source-${i}`}
                  value={c.source}
                  onChange={(e) => setClaim(i, { source: e.target.value })}
                />
              </div>
              <div className="field">
                <label htmlFor={`cl-outcome-${i}`}>Outcome</label>
                <select
                  id={`cl-outcome-${i}`}
                  value={outcomeIds.includes(c.outcomeId) ? c.outcomeId : (outcomeIds[0] ?? '')}
                  onChange={(e) => setClaim(i, { outcomeId: e.target.value })}
                >
                  {outcomeIds.map((oid, k) => (
                    <option key={oid} value={oid}>
                      {outcomeLabels[k]}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`cl-p-${i}`}>Read as (%)</label>
                <input
                  id={`cl-p-${i}`}
                  inputMode="decimal"
                  value={c.probability}
                  onChange={(e) => setClaim(i, { probability: e.target.value })}
                />
              </div>
            </div>
            <div className="field">
              <label htmlFor={`cl-said-${i}`}>What they said</label>
              <textarea
                id={`cl-said-${i}`}
                rows={2}
                value={c.said}
                onChange={(e) => setClaim(i, { said: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`cl-note-${i}`}>How it was read (optional)</label>
              <input
                id={`cl-note-${i}`}
                value={c.note}
                onChange={(e) => setClaim(i, { note: e.target.value })}
              />
            </div>
            <button
              type="button"
              className="ghost small-btn"
              onClick={() => setClaims(claims.filter((_, k) => k !== i))}
            >
              Remove claim
            </button>
          </div>
        ))}
        <button
          type="button"
          className="ghost small-btn"
          onClick={() => setClaims([...claims, emptyClaim(outcomeIds[0] ?? 'yes')])}
        >
          Add claim
        </button>
      </fieldset>
      {errors.length > 0 && (
        <ul className="error" role="alert">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {created && (
        <p className="success" role="status">
          Created <Link to={`/markets/${created.id}`}>{created.question}</Link>.
        </p>
      )}
      <div>
        {/* create-market: the name the existing browser tests use. */}
        <span className="submit-wrap" data-testid="create-market">
          <button type="submit" disabled={pending} data-testid="admin-create-market">
            {pending ? 'Creating…' : 'Create market'}
          </button>
        </span>
      </div>
    </form>
  );
}
