import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { Link, NavLink, useNavigate } from 'react-router-dom';
import { api } from '../api.ts';
import { credits } from '../format.ts';
import { reconnectSocket, useMe } from '../hooks/useMe.ts';
import { SpaceSwitcher } from './SpaceSwitcher.tsx';

type Theme = 'light' | 'dark';

function initialTheme(): Theme {
  const saved = localStorage.getItem('parity-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="ghost"
      aria-label={`Switch to ${next} theme`}
      onClick={() => {
        localStorage.setItem('parity-theme', next);
        setTheme(next);
      }}
    >
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );
}

/** The app's frame: header with the space switcher, navigation, balance and account menu. */
export function Layout({ children }: { children: ReactNode }) {
  const { me } = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const logout = async () => {
    await api.logout().catch(() => undefined);
    qc.setQueryData(['me'], null);
    reconnectSocket();
    navigate('/');
  };
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Parity home">
          <span className="logo" aria-hidden="true" />
          Parity
        </Link>
        {me && <SpaceSwitcher />}
        <nav aria-label="Main">
          <NavLink to="/" end>
            Markets
          </NavLink>
          <NavLink to="/leaderboard">Leaderboard</NavLink>
          <NavLink to="/channel">Channel</NavLink>
          {me && <NavLink to="/proposals">Proposals</NavLink>}
          {me?.user.role === 'admin' && <NavLink to="/admin">Admin</NavLink>}
        </nav>
        <div className="account">
          <ThemeToggle />
          {me ? (
            <>
              <Link to="/me" className="balance" data-testid="balance" title="Your balance">
                {credits(me.user.balanceCents)}
              </Link>
              <Link to="/me" className="username">
                {me.user.username}
              </Link>
              <button type="button" className="ghost" onClick={logout}>
                Sign out
              </button>
            </>
          ) : (
            <Link to="/login" className="button">
              Sign in
            </Link>
          )}
        </div>
      </header>
      <main id="main">{children}</main>
    </>
  );
}
