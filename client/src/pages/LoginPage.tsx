import { useQueryClient } from '@tanstack/react-query';
import { type KeyboardEvent, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Credentials, type MeResponse } from '../../../shared/schemas/index.ts';
import { ApiError, api, describeError } from '../api.ts';
import { reconnectSocket, useMe } from '../hooks/useMe.ts';
import { usePageTitle } from '../hooks/usePageTitle.ts';
import './login.css';

type Mode = 'login' | 'register';
type Field = 'username' | 'password';
type Errors = Partial<Record<Field | 'form', string>>;

const RULES: Record<Field, string> = {
  username: 'Usernames are 3–32 characters: lowercase a–z, digits 0–9 and _.',
  password: 'Passwords are at least 8 characters.',
};

/** `/login`: sign in, or create an account (which starts with a grant of play credits). */
export default function LoginPage() {
  const [params] = useSearchParams();
  const [mode, setMode] = useState<Mode>(params.get('mode') === 'register' ? 'register' : 'login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { me } = useMe();
  usePageTitle(mode === 'login' ? 'Sign in' : 'Create an account');
  const next = safeNext(params.get('next'));
  const userRef = useRef<HTMLInputElement>(null);
  const passRef = useRef<HTMLInputElement>(null);

  const switchMode = (m: Mode) => {
    setMode(m);
    setErrors({});
  };

  const submit = async () => {
    const found = validate(mode, username.trim(), password);
    setErrors(found);
    if (found.username) return userRef.current?.focus();
    if (found.password) return passRef.current?.focus();
    setPending(true);
    try {
      const user =
        mode === 'login'
          ? await api.login(username.trim(), password)
          : await api.register(username.trim(), password);
      // Show the header's balance at once; the full answer (with positions) follows.
      qc.setQueryData<MeResponse>(['me'], (old) => ({ user, positions: old?.positions ?? [] }));
      void qc.invalidateQueries({ queryKey: ['me'] });
      reconnectSocket();
      navigate(next, { replace: true });
    } catch (e) {
      const found = serverErrors(e, mode);
      setErrors(found);
      if (found.username) userRef.current?.focus();
      else if (found.password) passRef.current?.focus();
    } finally {
      setPending(false);
    }
  };

  const submitLabel = mode === 'login' ? 'Sign in' : 'Create account';
  return (
    <section className="page narrow">
      <div className="panel auth">
        <ModeTabs mode={mode} onChange={switchMode} />
        <div role="tabpanel" id="auth-panel" aria-labelledby={`tab-${mode}`}>
          <h1>{mode === 'login' ? 'Welcome back' : 'Start forecasting'}</h1>
          <p className="muted">
            {mode === 'login'
              ? 'Sign in to trade, forecast and follow your scores.'
              : 'New accounts start with a grant of play credits. Trade on the odds, make free forecasts, and see how well calibrated you are.'}
          </p>
          {me && (
            <p className="notice small">
              You are signed in as <strong>{me.user.username}</strong>.{' '}
              <Link to={next}>Continue</Link>
            </p>
          )}
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
                ref={userRef}
                name="username"
                autoComplete="username"
                autoCapitalize="none"
                spellCheck={false}
                value={username}
                onChange={(e) => setUsername(e.target.value.toLowerCase())}
                aria-invalid={errors.username ? true : undefined}
                aria-describedby={describedBy(errors.username, mode, 'username')}
                data-testid="login-username"
                required
              />
              {errors.username && (
                <p id="username-error" className="field-error small">
                  {errors.username}
                </p>
              )}
              {mode === 'register' && !errors.username && (
                <p id="username-hint" className="muted small">
                  3–32 characters: a–z, 0–9 and _. Shown on leaderboards.
                </p>
              )}
            </div>
            <div className="field">
              <label htmlFor="password">Password</label>
              <input
                id="password"
                ref={passRef}
                name="password"
                type="password"
                autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-invalid={errors.password ? true : undefined}
                aria-describedby={describedBy(errors.password, mode, 'password')}
                data-testid="login-password"
                required
              />
              {errors.password && (
                <p id="password-error" className="field-error small">
                  {errors.password}
                </p>
              )}
              {mode === 'register' && !errors.password && (
                <p id="password-hint" className="muted small">
                  At least 8 characters.
                </p>
              )}
            </div>
            {errors.form && (
              <p className="error" role="alert" data-testid="login-error">
                {errors.form}
              </p>
            )}
            {/* auth-submit: the name the browser tests' helpers use. */}
            <div data-testid="auth-submit" className="submit-wrap">
              <button type="submit" className="wide" disabled={pending} data-testid="login-submit">
                {pending ? 'One moment…' : submitLabel}
              </button>
            </div>
          </form>
          <p className="muted small center">
            {mode === 'login' ? (
              <>
                New here?{' '}
                <button
                  type="button"
                  className="link-button"
                  onClick={() => switchMode('register')}
                >
                  Create an account
                </button>
              </>
            ) : (
              <>
                Have an account?{' '}
                <button type="button" className="link-button" onClick={() => switchMode('login')}>
                  Sign in
                </button>
              </>
            )}{' '}
            · <Link to="/">Browse the markets</Link> without one.
          </p>
        </div>
      </div>
    </section>
  );
}

/** Sign in / Create account as a two-tab WAI-ARIA tablist: one tab stop, arrow keys switch. */
function ModeTabs({ mode, onChange }: { mode: Mode; onChange: (m: Mode) => void }) {
  const refs = useRef<Record<Mode, HTMLButtonElement | null>>({ login: null, register: null });
  const tabs: { id: Mode; label: string; testId?: string }[] = [
    { id: 'login', label: 'Sign in', testId: 'login-tab' },
    { id: 'register', label: 'Create account', testId: 'register-tab' },
  ];
  const onKey = (e: KeyboardEvent) => {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    const to: Mode =
      e.key === 'Home'
        ? 'login'
        : e.key === 'End'
          ? 'register'
          : mode === 'login'
            ? 'register'
            : 'login';
    refs.current[to]?.focus();
    onChange(to);
  };
  return (
    <div className="tabs" role="tablist" aria-label="Account">
      {tabs.map((t) => (
        <button
          key={t.id}
          id={`tab-${t.id}`}
          ref={(el) => {
            refs.current[t.id] = el;
          }}
          type="button"
          role="tab"
          aria-selected={mode === t.id}
          aria-controls="auth-panel"
          tabIndex={mode === t.id ? 0 : -1}
          onClick={() => onChange(t.id)}
          onKeyDown={onKey}
          data-testid={t.testId}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

/** The error when there is one (it states the rule), else the hint shown when registering. */
function describedBy(error: string | undefined, mode: Mode, field: Field): string | undefined {
  if (error) return `${field}-error`;
  return mode === 'register' ? `${field}-hint` : undefined;
}

/** The same rules as the server's schema, said per field before anything is sent. */
function validate(mode: Mode, username: string, password: string): Errors {
  const errors: Errors = {};
  if (!username) errors.username = 'Enter your username.';
  if (!password) errors.password = 'Enter your password.';
  if (mode === 'register') {
    const parsed = Credentials.safeParse({ username, password });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if ((field === 'username' || field === 'password') && !errors[field])
          errors[field] = RULES[field];
      }
    }
  }
  return errors;
}

/** What the server said, in words, attached to the field it is about where there is one. */
function serverErrors(e: unknown, mode: Mode): Errors {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'unauthenticated':
        return { form: 'That username and password do not match. Check both and try again.' };
      case 'conflict':
        return { username: 'That username is taken. Choose another.' };
      case 'rate_limited':
        return {
          form:
            mode === 'login'
              ? 'Too many sign-in attempts. Wait a minute and try again.'
              : 'Too many new accounts from here. Wait a while and try again.',
        };
      case 'validation_failed': {
        // A login with a malformed name or short password cannot match any account.
        if (mode === 'login') return { form: 'That username and password do not match.' };
        const errors: Errors = {};
        if (Array.isArray(e.details)) {
          for (const d of e.details as { path?: unknown }[]) {
            if (d.path === 'username' || d.path === 'password') errors[d.path] = RULES[d.path];
          }
        }
        return Object.keys(errors).length ? errors : { form: e.message };
      }
    }
  }
  return { form: describeError(e) };
}

/** Only same-site paths: a crafted ?next= must not send people elsewhere. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}
