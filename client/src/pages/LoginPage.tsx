import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Credentials } from '../../../shared/schemas/index.ts';
import { ApiError, api, describeError } from '../api.ts';
import { Tabs } from '../components/Tabs.tsx';
import { reconnectSocket } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';

type Mode = 'login' | 'register';

/** `/login`: sign in, or create an account (which starts with a grant of play credits). */
export default function LoginPage() {
  const [params] = useSearchParams();
  const [mode, setMode] = useState<Mode>(params.get('mode') === 'register' ? 'register' : 'login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const qc = useQueryClient();
  const navigate = useNavigate();
  usePageTitle(mode === 'login' ? 'Sign in' : 'Create an account');
  const next = safeNext(params.get('next'));

  const submit = async () => {
    setError(null);
    const parsed = Credentials.safeParse({ username: username.trim(), password });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setError(
        issue?.path[0] === 'username'
          ? 'Usernames are 3–32 characters of a–z, 0–9 and _.'
          : 'Passwords are at least 8 characters.',
      );
      return;
    }
    setPending(true);
    try {
      const user =
        mode === 'login'
          ? await api.login(parsed.data.username, parsed.data.password)
          : await api.register(parsed.data.username, parsed.data.password);
      qc.setQueryData(['me'], { user, positions: [] });
      await qc.invalidateQueries({ queryKey: ['me'] });
      reconnectSocket();
      navigate(next, { replace: true });
    } catch (e) {
      setError(loginError(e, mode));
    } finally {
      setPending(false);
    }
  };

  return (
    <section className="page narrow">
      <div className="panel auth">
        <Tabs
          label="Account"
          value={mode}
          onChange={setMode}
          tabs={[
            { id: 'login', label: 'Sign in' },
            { id: 'register', label: 'Create account' },
          ]}
        />
        <h1>{mode === 'login' ? 'Welcome back' : 'Start forecasting'}</h1>
        <p className="muted">
          {mode === 'login'
            ? 'Sign in to trade, forecast and follow your scores.'
            : 'New accounts start with a grant of play credits. Trade on the odds, make free forecasts, and see how well calibrated you are.'}
        </p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
          noValidate
        >
          <div className="field">
            <label htmlFor="username">Username</label>
            <input
              id="username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              value={username}
              onChange={(e) => setUsername(e.target.value.toLowerCase())}
              aria-describedby="username-hint"
              required
            />
            {mode === 'register' && (
              <p id="username-hint" className="muted small">
                3–32 characters: a–z, 0–9 and _.
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              minLength={8}
            />
            {mode === 'register' && <p className="muted small">At least 8 characters.</p>}
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="wide" disabled={pending} data-testid="auth-submit">
            {pending ? 'One moment…' : mode === 'login' ? 'Sign in' : 'Create account'}
          </button>
        </form>
        <p className="muted small center">
          <Link to="/">Browse the markets</Link> without an account.
        </p>
      </div>
    </section>
  );
}

/** Only same-site paths: a crafted ?next= must not send people elsewhere. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function loginError(e: unknown, mode: Mode): string {
  if (e instanceof ApiError) {
    if (e.code === 'unauthenticated') return 'That username and password do not match.';
    if (e.code === 'conflict') return 'That username is taken. Choose another.';
    if (e.code === 'validation_failed' && mode === 'register') return e.message;
  }
  return describeError(e);
}
