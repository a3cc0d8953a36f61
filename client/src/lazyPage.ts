import { type ComponentType, createElement, lazy } from 'react';

export interface LazyPage {
  (props: object): ReturnType<typeof createElement>;
  /** Starts (or joins) loading the page's chunk. */
  preload(): Promise<unknown>;
}

/**
 * A route-level code-split page. Unlike React.lazy alone, a page whose chunk was preloaded
 * renders at once instead of suspending first (React holds a revealed Suspense boundary back for
 * up to 300 ms), so a deep link to it paints as soon as its data is there.
 */
export function lazyPage(load: () => Promise<{ default: ComponentType }>): LazyPage {
  let loaded: ComponentType | null = null;
  let pending: Promise<unknown> | null = null;
  const preload = () => {
    pending ??= load().then((m) => {
      loaded = m.default;
      return m;
    });
    return pending;
  };
  const Lazy = lazy(() => preload().then(() => ({ default: loaded! })));
  // biome-ignore lint/correctness/noComponentHookFactories: made once per page at module load, as React.lazy is
  const Page = (props: object) => createElement(loaded ?? Lazy, props);
  Page.preload = preload;
  return Page;
}
