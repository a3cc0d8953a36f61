export type Theme = 'light' | 'dark';

const KEY = 'parity-theme';

/**
 * The theme the person chose with the toggle, or null. Reading storage throws in a third-party
 * iframe when the browser blocks third-party storage (an embed on someone's wiki): no choice then.
 */
export function savedTheme(): Theme | null {
  try {
    const saved = localStorage.getItem(KEY);
    return saved === 'light' || saved === 'dark' ? saved : null;
  } catch {
    return null;
  }
}

/** Remembers the toggle's choice where storage is allowed. */
export function saveTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Storage blocked: the choice lasts for this page only.
  }
}

/** The saved choice, else the system's preference. */
export function preferredTheme(): Theme {
  return savedTheme() ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}
