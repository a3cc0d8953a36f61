import { useEffect, useState } from 'react';
import './copy.css';

/** Copies `text` to the clipboard and says so; where the clipboard is refused, says that too. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2500);
    return () => clearTimeout(t);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      // Insecure origins and some browsers refuse the clipboard: the text stays selectable.
      setState('failed');
    }
  };
  return (
    <span className="copy">
      <button type="button" className="ghost small-btn" onClick={() => void copy()}>
        {label}
      </button>
      <span className="small muted" aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select the text' : ''}
      </span>
    </span>
  );
}
