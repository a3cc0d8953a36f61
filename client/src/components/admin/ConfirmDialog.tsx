import { type ReactNode, useEffect, useRef, useState } from 'react';
import { describeError } from '../../api.ts';

/**
 * A modal <dialog> that asks before a consequential admin action, with an optional note for the
 * audit log. Escape or "Back" closes it without acting; errors stay in the dialog.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger = false,
  note = false,
  onConfirm,
  onClose,
  testId,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Offer a note field; its trimmed text (or undefined) goes to onConfirm. */
  note?: boolean;
  onConfirm: (note: string | undefined) => Promise<void>;
  onClose: () => void;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [text, setText] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      await onConfirm(text.trim() || undefined);
      ref.current?.close();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setPending(false);
    }
  };
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="confirm-h"
      onClose={onClose}
      data-testid={testId}
    >
      <h2 id="confirm-h">{title}</h2>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
      >
        {children}
        {note && (
          <div className="field">
            <label htmlFor="confirm-note">Note for the audit log (optional)</label>
            <input id="confirm-note" value={text} onChange={(e) => setText(e.target.value)} />
          </div>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" className="ghost" onClick={() => ref.current?.close()}>
            Back
          </button>
          <button type="submit" className={danger ? 'danger' : ''} disabled={pending}>
            {pending ? 'Working…' : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
