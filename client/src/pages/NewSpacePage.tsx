import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Navigate, useNavigate } from 'react-router-dom';
import { CreateSpaceRequest, type SpaceVisibility } from '../../../shared/schemas/index.ts';
import { api, describeError } from '../api.ts';
import { useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import './space.css';

const CHOICES: { id: SpaceVisibility; title: string; about: string }[] = [
  {
    id: 'private',
    title: 'Private',
    about: 'Only members see the space, its markets, trades and discussion. People join by invite.',
  },
  {
    id: 'public',
    title: 'Public',
    about: 'Anyone can see and trade on its markets; members propose questions.',
  },
];

/** `/spaces/new`: makes a space (a team's own markets); its maker is its owner. */
export default function NewSpacePage() {
  const { me, isLoading } = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<SpaceVisibility>('private');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  usePageTitle('New space');
  if (isLoading) {
    return (
      <p className="muted loading" aria-live="polite">
        Loading…
      </p>
    );
  }
  if (!me) return <Navigate to="/login?next=/spaces/new" replace />;

  const submit = async () => {
    setError(null);
    const parsed = CreateSpaceRequest.safeParse({ name, visibility });
    if (!parsed.success) {
      setError('Name the space in 2 to 80 characters.');
      return;
    }
    setPending(true);
    try {
      const space = await api.createSpace(parsed.data);
      await qc.invalidateQueries({ queryKey: ['spaces'] });
      navigate(`/spaces/${space.id}`);
    } catch (e) {
      setError(describeError(e));
      setPending(false);
    }
  };
  return (
    <section className="page narrow">
      <form
        className="panel"
        aria-labelledby="new-space-h"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        noValidate
      >
        <h1 id="new-space-h">New space</h1>
        <p className="muted">
          A space is a team's own corner of Parity: its markets, leaderboard and discussion. You
          will be its owner, and can invite people with a link.
        </p>
        <div className="field">
          <label htmlFor="space-name">Name</label>
          <input
            id="space-name"
            value={name}
            maxLength={80}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={error ? true : undefined}
            data-testid="space-name-input"
            required
          />
        </div>
        <fieldset className="field">
          <legend>Who can see it</legend>
          <div className="visibility-choice">
            {CHOICES.map((c) => (
              <label key={c.id}>
                <input
                  type="radio"
                  name="visibility"
                  value={c.id}
                  checked={visibility === c.id}
                  onChange={() => setVisibility(c.id)}
                  data-testid={`space-visibility-${c.id}`}
                />
                <span>
                  <strong>{c.title}</strong>
                  <span className="muted small">{c.about}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" disabled={pending} data-testid="space-create">
            {pending ? 'Creating…' : 'Create space'}
          </button>
          <Link to="/">Cancel</Link>
        </div>
      </form>
    </section>
  );
}
