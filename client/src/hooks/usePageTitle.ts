import { useEffect } from 'react';

/** Sets the document title to "<title> · Parity" while the page is shown. */
export function usePageTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Parity` : 'Parity';
  }, [title]);
}
