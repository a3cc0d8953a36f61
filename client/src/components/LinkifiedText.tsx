import { Fragment } from 'react';
import { linkPieces } from '../lib/linkify.ts';

/**
 * Untrusted text (a comment, a proposal's source) shown as text, with only its http(s) URLs as
 * links that open in a new tab and pass on no referrer and no ranking. No HTML is interpreted:
 * React escapes every piece.
 */
export function LinkifiedText({ text }: { text: string }) {
  return (
    <>
      {/* The pieces of one text never reorder, so their index is a stable key. */}
      {linkPieces(text).map((p, i) =>
        p.kind === 'link' ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <a key={i} href={p.href} rel="nofollow noopener noreferrer" target="_blank">
            {p.text}
          </a>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <Fragment key={i}>{p.text}</Fragment>
        ),
      )}
    </>
  );
}
