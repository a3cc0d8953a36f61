/**
 * Cutting chat text to a chat tool's limit without breaking what the text means: a cut never
 * falls inside a character, a grapheme (emoji, flags, accents), an HTML entity or a chat token.
 */

const ELLIPSIS = '…';

/**
 * The spans a cut must not enter, tried at each position before falling back to one grapheme.
 * Inner parts stop at the next opener, so a scan never rereads text and stays linear.
 */
const TOKEN = new RegExp(
  [
    // An HTML entity, as Slack's mrkdwn escaping writes them: &amp; &lt; &gt; &#39; &#x1F600;
    '&(?:[a-z][a-z0-9]{0,31}|#[0-9]{1,8}|#x[0-9a-f]{1,8});',
    // An angle-bracket token. Slack: <https://x|label> <mailto:a@b|a> <@U123> <#C123|name>
    // <!here> <!date^…|fallback>. Discord: <@123> <@!123> <@&123> <#123> <t:1700000000:R>
    // <:name:123> <a:name:123> </command:123>. A scheme-like "word:" covers links, t: and a:.
    '<(?:[@#!:/]|[a-z][a-z0-9+.-]*:)[^<>]*>',
    // A Markdown link (Discord, Teams): [label](https://…). Without < or >, so that it cannot
    // end inside an angle-bracket token.
    '\\[[^[\\]<>\\n]*\\]\\([a-z][a-z0-9+.-]*:[^()<>\\s]*\\)',
  ].join('|'),
  'iy',
);

/** The length of the token at `i`, or 0. */
function tokenLength(text: string, i: number): number {
  TOKEN.lastIndex = i;
  return TOKEN.exec(text)?.[0].length ?? 0;
}

// One segmenter for every call: building one loads ICU's break rules.
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Units segmented at a time: V8's segment iterator slows with the length of its input. */
const WINDOW = 64;

/**
 * The ends of the graphemes from `start` (a boundary), in order, as far as one window of the
 * text settles them; empty when the first of them ends past `limit`.
 */
function graphemeEnds(text: string, start: number, limit: number): number[] {
  for (let size = WINDOW; ; size *= 2) {
    const stop = Math.min(text.length, start + size);
    const ends: number[] = [];
    for (const { index, segment } of graphemes.segment(text.slice(start, stop))) {
      const end = start + index + segment.length;
      // A boundary depends on the text before it and the character after it, which must lie
      // whole (up to two units) inside the window.
      if (stop === text.length || end + 2 <= stop) ends.push(end);
    }
    if (ends.length > 0 || stop >= limit + 2) return ends;
  }
}

/**
 * Whether the character at `i` is a grapheme alone, known without ICU: no rule joins an ASCII
 * character to the ASCII character after it, but for CR LF.
 */
function isAsciiStep(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  const after = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
  return c < 0x80 && c !== 0x0d && after < 0x80;
}

/**
 * Cuts text to at most `max` UTF-16 code units (the unit of `.length`, which chat tools count
 * in or above) with an ellipsis: the longest run of whole tokens and graphemes that fits, less
 * trailing whitespace. A token longer than the room left is dropped whole.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  const budget = max - ELLIPSIS.length;
  let ends: number[] = [];
  let k = 0;
  let end = 0;
  while (end < budget) {
    const token = tokenLength(text, end);
    let next: number;
    if (token > 0) {
      next = end + token;
    } else if (isAsciiStep(text, end)) {
      next = end + 1;
    } else {
      // After a token the grapheme may have begun inside it (a `>` with a combining mark):
      // the rest of that grapheme is one step.
      while (k < ends.length && ends[k]! <= end) k++;
      if (k === ends.length) {
        ends = graphemeEnds(text, end, budget);
        k = 0;
      }
      if (k === ends.length) break;
      next = ends[k]!;
      // A token wins over the grapheme that would swallow its start (a prepended mark before
      // `<`): the step stops before it, which is never inside a surrogate pair.
      for (let i = end + 1; i < next; i++) {
        if (tokenLength(text, i) > 0) {
          next = i;
          break;
        }
      }
    }
    if (next > budget) break;
    end = next;
  }
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}
