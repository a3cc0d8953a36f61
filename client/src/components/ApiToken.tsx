import { useState } from 'react';
import { api, describeError } from '../api.ts';
import { useSpaces } from '../hooks/useSpaces.ts';
import { CopyButton } from './CopyButton.tsx';

/** Creates a personal API token for bots and scripts; the server shows it only once. */
export function ApiToken() {
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [spaceId, setSpaceId] = useState('');
  const spaces = useSpaces();
  // A token is scoped to a space its user belongs to (an admin's list has every space).
  const mine = (spaces.data ?? []).filter((s) => s.role);
  const create = async () => {
    setError(null);
    setPending(true);
    try {
      setToken((await api.createToken(spaceId || undefined)).token);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setPending(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="tok-h">
      <h2 id="tok-h">API token</h2>
      <p className="muted small">
        For bots and scripts: send it as <code>Authorization: Bearer &lt;token&gt;</code>. It acts
        as you, so keep it secret.
      </p>
      {token ? (
        <div className="notice secret-box" role="status">
          <p className="small">Copy it now: it will not be shown again.</p>
          <div className="secret-row">
            <code className="token" data-testid="api-token">
              {token}
            </code>
            <CopyButton text={token} label="Copy token" />
          </div>
        </div>
      ) : (
        <div className="row">
          {mine.length > 0 && (
            <>
              <label htmlFor="tok-space">Sees</label>
              <select
                id="tok-space"
                value={spaceId}
                onChange={(e) => setSpaceId(e.target.value)}
                data-testid="token-space"
              >
                <option value="">everything you see</option>
                {mine.map((s) => (
                  <option key={s.id} value={s.id}>
                    only {s.name} (and the public site)
                  </option>
                ))}
              </select>
            </>
          )}
          <button
            type="button"
            className="ghost"
            disabled={pending}
            onClick={() => void create()}
            data-testid="create-token"
          >
            {pending ? 'Creating…' : 'Create a token'}
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
