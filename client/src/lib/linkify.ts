/**
 * Comment text as plain-text pieces and links, for rendering without HTML: a piece of text is
 * shown as text (React escapes it), and only an http:// or https:// URL becomes a link. Joining
 * every piece's `text` gives back the input exactly.
 */
export type TextPiece =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string };

// A URL runs until whitespace or a character that cannot be part of one in running text.
const URL_LIKE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Characters that end a sentence rather than a URL when they come last. */
const TRAILING = new Set(['.', ',', ';', ':', '!', '?', '*', '_', '~']);
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n += 1;
  return n;
}

/**
 * The URL without the punctuation that follows it in a sentence: "see https://a.b/c." links
 * https://a.b/c; a closing bracket stays when the URL opened one, as in
 * https://en.wikipedia.org/wiki/Mercury_(planet).
 */
function trimTrailing(url: string): string {
  let end = url.length;
  while (end > 0) {
    const last = url[end - 1]!;
    const opener = CLOSERS[last];
    if (TRAILING.has(last)) {
      end -= 1;
    } else if (opener && count(url.slice(0, end), opener) < count(url.slice(0, end), last)) {
      end -= 1;
    } else {
      break;
    }
  }
  return url.slice(0, end);
}

/** The normalised href of `raw` when it is an http(s) URL with a host; otherwise null. */
function httpHref(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (!u.hostname) return null;
  return u.href;
}

/** Splits `text` into plain text and http(s) links, in order. */
export function linkPieces(text: string): TextPiece[] {
  const out: TextPiece[] = [];
  const pushText = (t: string) => {
    if (!t) return;
    const last = out.at(-1);
    if (last?.kind === 'text') last.text += t;
    else out.push({ kind: 'text', text: t });
  };
  let at = 0;
  for (const m of text.matchAll(URL_LIKE)) {
    const start = m.index;
    const url = trimTrailing(m[0]);
    const href = url ? httpHref(url) : null;
    if (!href) continue;
    pushText(text.slice(at, start));
    out.push({ kind: 'link', text: url, href });
    at = start + url.length;
  }
  pushText(text.slice(at));
  return out;
}
