import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clip } from '../../../server/integrations/clip.ts';
import { clip as clipOfNotification } from '../../../server/integrations/notification.ts';

/** Cutting chat text: whole graphemes, entities and chat tokens, within the limit. */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// An HTML entity by its definition (named, decimal, hex), with no bound on its length.
const ENTITY_AT_START = /^&(?:[a-z][a-z0-9]*|#[0-9]+|#x[0-9a-f]+);/i;

/** The text before the ellipsis, or all of it when nothing was cut. */
function kept(input: string, output: string): string {
  return output === input ? output : output.replace(/…$/, '');
}

const count = (s: string, c: string) => s.split(c).length - 1;

describe('clip', () => {
  it('returns text that fits unchanged', () => {
    expect(clip('&amp;', 5)).toBe('&amp;');
    expect(clip('ab', 2)).toBe('ab');
    expect(clip('', 0)).toBe('');
    expect(clipOfNotification).toBe(clip);
  });

  it('keeps an emoji ZWJ sequence whole', () => {
    // 👨‍👩‍👧 is man, ZWJ, woman, ZWJ, girl: 2 + 1 + 2 + 1 + 2 = 8 units.
    const text = 'hi 👨‍👩‍👧 there';
    expect(clip(text, 8)).toBe('hi…');
    expect(clip(text, 11)).toBe('hi…');
    expect(clip(text, 12)).toBe('hi 👨‍👩‍👧…');
  });

  it('keeps a flag whole', () => {
    // 🇫🇷 is two regional indicators of two units each.
    const text = 'vive 🇫🇷🇫🇷 !!';
    expect(clip(text, 7)).toBe('vive…');
    expect(clip(text, 10)).toBe('vive 🇫🇷…');
    expect(clip(text, 13)).toBe('vive 🇫🇷…');
    expect(clip(text, 14)).toBe('vive 🇫🇷🇫🇷…');
  });

  it('keeps a letter with its combining accent', () => {
    const text = 'cafe\u0301 noir';
    expect(clip(text, 5)).toBe('caf…');
    expect(clip(text, 6)).toBe('cafe\u0301…');
  });

  it('keeps an HTML entity whole', () => {
    expect(clip('Q&amp;A time', 6)).toBe('Q…');
    expect(clip('Q&amp;A time', 7)).toBe('Q&amp;…');
    expect(clip('1 &lt; 2 &gt; 0', 6)).toBe('1…');
    expect(clip('a&#39;b and more', 7)).toBe('a&#39;…');
  });

  // Each token after "ab ": with room for all but its last unit the cut falls before it, with
  // room for all of it the token stays.
  it.each([
    ['a Slack link', '<https://parity.example/m/1|Will it rain?>'],
    ['a Slack user mention', '<@U123ABC>'],
    ['a Slack channel', '<#C123|general>'],
    ['a Slack special mention', '<!here>'],
    ['a Slack date', '<!date^1392734382^{date_num} {time_secs}|Feb 18, 2014>'],
    ['a Discord user mention', '<@123456789012345678>'],
    ['a Discord nickname mention', '<@!123456789012345678>'],
    ['a Discord role mention', '<@&987654321>'],
    ['a Discord channel', '<#42>'],
    ['a Discord timestamp', '<t:1700000000:R>'],
    ['a Discord emoji', '<:parrot:123456>'],
    ['an animated Discord emoji', '<a:dance:456789>'],
    ['a Markdown link', '[the market](https://parity.example/m/1)'],
  ])('keeps %s whole', (_kind, token) => {
    const text = `ab ${token} tail`;
    expect(clip(text, 'ab '.length + token.length)).toBe('ab…');
    expect(clip(text, 'ab '.length + token.length + 1)).toBe(`ab ${token}…`);
  });

  it('drops a token longer than the limit whole', () => {
    const link = '<https://parity.example/markets/a-very-long-market-id|label>';
    expect(clip(`${link} rest`, 10)).toBe('…');
    expect(clip(`see ${link}`, 30)).toBe('see…');
  });

  it('cuts to nothing below one unit, to the ellipsis at one, to one more at two', () => {
    expect(clip('hello', 0)).toBe('');
    expect(clip('hello', -3)).toBe('');
    expect(clip('hello', 1)).toBe('…');
    expect(clip('hello', 2)).toBe('h…');
    // The emoji is two units: with one unit left for text it cannot stay.
    expect(clip('😀😀', 2)).toBe('…');
  });

  it('trims the whitespace before the ellipsis', () => {
    expect(clip('one two three', 9)).toBe('one two…');
    expect(clip('one\n\nthree', 6)).toBe('one…');
  });

  it('cuts plain ASCII at exactly max − 1 units', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'abcXYZ019.,:;!?-_*|@#') }),
        fc.nat(40),
        (text, max) => {
          if (text.length <= max) expect(clip(text, max)).toBe(text);
          else if (max >= 1) expect(clip(text, max)).toBe(`${text.slice(0, max - 1)}…`);
        },
      ),
    );
  });

  it('clips 40,000 characters of emoji and entities quickly', () => {
    const text = '&amp;😀👨‍👩‍👧<@U1>e\u0301 '.repeat(2000).slice(0, 40_000);
    const started = performance.now();
    const out = clip(text, 39_999);
    // About 10 ms here; generous for a loaded machine, far below a quadratic scan's seconds.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(out.length).toBeLessThanOrEqual(39_999);
    expect(out.length).toBeGreaterThan(39_900);
  });
});

describe('clip properties', () => {
  const token = fc.constantFrom(
    '&amp;',
    '&lt;',
    '&gt;',
    '&#39;',
    '<https://x.example/a|label & more>',
    '<@U123>',
    '<#C1|general>',
    '<!here>',
    '<@!123>',
    '<@&123>',
    '<t:1700000000:R>',
    '<:name:123>',
    '<a:name:123>',
    '[label](https://x.example/a)',
  );
  const tricky = fc.constantFrom(
    '&',
    '&amp',
    '&#',
    ' ',
    '\n',
    '\r\n',
    '\u0301',
    '\u200d',
    '\u0600',
    '🇫',
    '🇫🇷',
    '👨‍👩‍👧',
    '[',
    ']',
    '(',
  );
  const bracket = fc.constantFrom('<', '>');
  const unbracketed = fc
    .string({ unit: 'grapheme', maxLength: 6 })
    .map((s) => s.replace(/[<>]/g, ''));
  const piece = fc.oneof(unbracketed, token, tricky);
  /** Chat-like text: graphemes, tokens, stray brackets and the pieces that trip cuts. */
  const chatText = fc
    .array(fc.oneof(piece, bracket, fc.string({ unit: 'binary', maxLength: 6 })), {
      maxLength: 14,
    })
    .map((parts) => parts.join(''));
  /** As chatText, but every < and > belongs to a token. */
  const balancedText = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(''));
  const max = fc.integer({ min: -1, max: 60 });

  it('never exceeds max and keeps a prefix of the input', () => {
    fc.assert(
      fc.property(chatText, max, (text, n) => {
        const out = clip(text, n);
        expect(out.length).toBeLessThanOrEqual(Math.max(0, n));
        expect(text.startsWith(kept(text, out))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves no lone surrogate', () => {
    fc.assert(
      fc.property(chatText, max, (text, n) => {
        expect(LONE_SURROGATE.test(clip(text, n))).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps < and > balanced when every bracket of the input is in a token', () => {
    fc.assert(
      fc.property(balancedText, max, (text, n) => {
        const out = kept(text, clip(text, n));
        expect(count(out, '<')).toBe(count(out, '>'));
      }),
      { numRuns: 1000 },
    );
  });

  it('ends on no partial entity unless the input had a bare & there', () => {
    fc.assert(
      fc.property(chatText, max, (text, n) => {
        const out = kept(text, clip(text, n));
        const partial = /&[a-z#0-9]*$/i.exec(out);
        if (partial && out !== text) {
          expect(ENTITY_AT_START.test(text.slice(partial.index))).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
