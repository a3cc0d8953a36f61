import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { api } from '../api.ts';
import { useSpace, useSpaces } from '../hooks/useSpaces.ts';

/**
 * The header's space switcher (a disclosure of links): the public site, the signed-in user's
 * spaces and a way to make a new one. Its button names where you are: the space of the space
 * page or market page shown, else the public site.
 */
export function SpaceSwitcher() {
  const spaces = useSpaces();
  const { pathname } = useLocation();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  const marketId = /^\/markets\/([a-z0-9-]+)/.exec(pathname)?.[1];
  // Only read from the cache the market page fills; never fetched from here.
  const market = useQuery({
    queryKey: ['market', marketId],
    queryFn: () => api.market(marketId!),
    enabled: false,
  });
  const here =
    /^\/spaces\/(sp_[A-Za-z0-9_-]{16})/.exec(pathname)?.[1] ??
    (marketId ? (market.data?.spaceId ?? undefined) : undefined);
  // The same query as the page's own, so it asks nothing more of the server.
  const space = useSpace(here);
  const current = spaces.data?.find((s) => s.id === here) ?? space.data;

  // Following a link closes the list.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every navigation
  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="space-switcher" ref={root}>
      <button
        ref={button}
        type="button"
        className="ghost space-switcher-button"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen(!open)}
        data-testid="space-switcher"
      >
        <span className="sr-label">Space: </span>
        <span className="space-switcher-name">{current?.name ?? 'Public site'}</span>
        <span className="space-switcher-caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open && (
        <div id={menuId} className="space-menu panel" data-testid="space-menu">
          <ul>
            <li>
              <Link to="/" aria-current={here ? undefined : 'page'}>
                Public site
              </Link>
            </li>
            {(spaces.data ?? []).map((s) => (
              <li key={s.id}>
                <Link
                  to={`/spaces/${s.id}`}
                  aria-current={s.id === here ? 'page' : undefined}
                  data-testid="space-menu-item"
                >
                  <span className="space-menu-name">{s.name}</span>
                  <span className="muted small">
                    {s.visibility === 'private' ? 'private' : 'public'}
                    {s.role ? ` · ${s.role}` : ''}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          {spaces.isLoading && <p className="muted small">Loading your spaces…</p>}
          {spaces.error ? <p className="muted small">Your spaces could not be loaded.</p> : null}
          <Link to="/spaces/new" className="button ghost small-btn space-menu-new">
            New space
          </Link>
        </div>
      )}
    </div>
  );
}
