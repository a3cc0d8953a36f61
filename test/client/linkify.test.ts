import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkPieces, type TextPiece } from '../../client/src/lib/linkify.ts';

const text = (t: string): TextPiece => ({ kind: 'text', text: t });
const link = (t: string, href = t): TextPiece => ({ kind: 'link', text: t, href });

describe('linkPieces', () => {
  it('keeps text without links as one piece', () => {
    expect(linkPieces('Odds look too high to me.')).toEqual([text('Odds look too high to me.')]);
    expect(linkPieces('')).toEqual([]);
  });

  it('turns http and https URLs into links between the text around them', () => {
    expect(linkPieces('see https://example.com/a?b=1#c and http://x.org/')).toEqual([
      text('see '),
      link('https://example.com/a?b=1#c'),
      text(' and '),
      link('http://x.org/'),
    ]);
  });

  it('leaves javascript:, data: and other schemes as text', () => {
    for (const s of [
      'javascript:alert(1)',
      'JavaScript:alert(document.cookie)',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'vbscript:msgbox(1)',
      'ftp://files.example.com/x',
      'mailto:someone@example.com',
      '//example.com/protocol-relative',
    ]) {
      expect(linkPieces(s), s).toEqual([text(s)]);
    }
  });

  it('links only the http URL inside a javascript: text, never the whole of it', () => {
    const pieces = linkPieces('javascript:fetch("http://evil.example/x")');
    const links = pieces.filter((p) => p.kind === 'link');
    expect(links).toEqual([link('http://evil.example/x')]);
    expect(pieces.map((p) => p.text).join('')).toBe('javascript:fetch("http://evil.example/x")');
  });

  it('keeps markup as text: a <script> tag is characters, not HTML', () => {
    const s = '<script>alert("hi")</script><img src=x onerror=alert(1)>';
    expect(linkPieces(s)).toEqual([text(s)]);
  });

  it('ends a URL at a quote or angle bracket, so markup around it stays text', () => {
    expect(linkPieces('<a href="https://example.com/x">click</a>')).toEqual([
      text('<a href="'),
      link('https://example.com/x'),
      text('">click</a>'),
    ]);
    expect(linkPieces('<https://example.com/>')).toEqual([
      text('<'),
      link('https://example.com/'),
      text('>'),
    ]);
  });

  it('leaves the punctuation that follows a URL in a sentence out of the link', () => {
    expect(linkPieces('Read https://example.com/report.')).toEqual([
      text('Read '),
      link('https://example.com/report'),
      text('.'),
    ]);
    expect(linkPieces('https://a.example/x, https://b.example/y; done')).toEqual([
      link('https://a.example/x'),
      text(', '),
      link('https://b.example/y'),
      text('; done'),
    ]);
    expect(linkPieces('Really? https://example.com/q?!')).toEqual([
      text('Really? '),
      link('https://example.com/q'),
      text('?!'),
    ]);
    expect(linkPieces('(see https://example.com/page)')).toEqual([
      text('(see '),
      link('https://example.com/page'),
      text(')'),
    ]);
  });

  it('keeps a closing bracket that the URL itself opened', () => {
    expect(linkPieces('https://en.wikipedia.org/wiki/Mercury_(planet).')).toEqual([
      link('https://en.wikipedia.org/wiki/Mercury_(planet)'),
      text('.'),
    ]);
  });

  it('normalises the href and keeps the text as written', () => {
    expect(linkPieces('HTTPS://Example.COM')).toEqual([
      link('HTTPS://Example.COM', 'https://example.com/'),
    ]);
  });

  it('leaves an address without a host as text', () => {
    expect(linkPieces('http:// nothing')).toEqual([text('http:// nothing')]);
    expect(linkPieces('https://.')).toEqual([text('https://.')]);
  });

  it('does not start a link inside a word', () => {
    expect(linkPieces('xhttps://example.com')).toEqual([text('xhttps://example.com')]);
  });

  it('gives back the input when its pieces are joined, and links only http(s)', () => {
    const alphabet = fc.constantFrom(
      ...'ab <>"\'():;.,?!/\n'.split(''),
      'http://',
      'https://',
      'javascript:',
      'example.com',
      '<script>',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 30 }), (parts) => {
        const s = parts.join('');
        const pieces = linkPieces(s);
        expect(pieces.map((p) => p.text).join('')).toBe(s);
        for (const p of pieces) {
          if (p.kind !== 'link') continue;
          expect(p.href).toMatch(/^https?:\/\/[^\s<>"]+$/);
          expect(new URL(p.href).protocol).toMatch(/^https?:$/);
        }
        // No two text pieces in a row.
        for (let i = 1; i < pieces.length; i++) {
          expect(pieces[i - 1]!.kind === 'text' && pieces[i]!.kind === 'text').toBe(false);
        }
      }),
    );
  });
});
