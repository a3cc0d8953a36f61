import fc from 'fast-check';

/**
 * Hostile inputs for the fuzz suite. Bodies are built as JSON *text*, not as objects, so that
 * they can carry what JSON.stringify cannot: `1e999`, `-0`, a literal `"__proto__"` key, lone
 * surrogates, duplicate keys and very deep nesting.
 */

/** Strings that have broken other servers: injections, prototype keys, traversal, odd unicode. */
export const HOSTILE_STRINGS: readonly string[] = [
  // SQL
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  "admin'--",
  "yes' UNION SELECT token_hash FROM api_tokens --",
  '1; DELETE FROM ledger_entries',
  // HTML and script
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  'javascript:alert(1)',
  '{{constructor.constructor("alert(1)")()}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, on purpose
  '${7*7}',
  // chat markup and mentions
  '<!channel>',
  '<!everyone>',
  '@everyone',
  '@here',
  '<@U024BE7LH>',
  '[click](https://evil.example)',
  // prototype keys
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
  // paths and URLs
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f',
  '/dev/zero',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  // numbers in disguise
  'NaN',
  'Infinity',
  '-0',
  '1e999',
  '0x10',
  // unicode and control characters
  '',
  ' ',
  '\u0000',
  'yes\u0000',
  '\u0007bell',
  'line\r\nbreak',
  '\u202eevil',
  '\ufeffyes',
  'ｙｅｓ',
  'yes\u200b',
  'e\u0301',
  'İ',
  '😀',
  '\ud800',
  '\udfff\ud800',
  '%s%s%n',
  '%00',
];

/** Number tokens as they may appear in JSON text, most of them hostile. */
export const RAW_NUMBERS: readonly string[] = [
  '1e999',
  '-1e999',
  '-0',
  '0',
  '-0.0',
  '1e308',
  '-1e308',
  '1.7976931348623157e308',
  '5e-324',
  '-5e-324',
  '1e-400',
  '0.5',
  '1.5',
  '-1',
  '-0.5',
  '0.000001',
  '1',
  '100',
  '1E2',
  '1e+2',
  '9007199254740993',
  '123456789012345678901234567890',
  '2147483648',
  '-2147483649',
  '100000000000',
  '100000000001',
];

/** Whole bodies that are not JSON, or not JSON the way body-parser reads it. */
export const NOT_JSON: readonly string[] = [
  'NaN',
  'Infinity',
  '-Infinity',
  "{'a': 1}",
  '{"a": 0x10}',
  '{"a": +1}',
  '{"a": .5}',
  '{"a": 01}',
  '{"a": 1,}',
  '{"a": undefined}',
  '{"a": /* c */ 1}',
  '{"a": "unterminated',
  '{"a": "\u0001"}',
  '{"a" 1}',
  '{',
  '}',
  '[',
  '"text"',
  '42',
  'true',
  'null',
  'not json',
  '\u0000',
];

/** A JSON value as text, with its own leaves so nothing is normalised on the way. */
export type Json =
  | { t: 'raw'; v: string }
  | { t: 'arr'; v: Json[] }
  | { t: 'obj'; v: [string, Json][] };

export function jsonText(j: Json): string {
  switch (j.t) {
    case 'raw':
      return j.v;
    case 'arr':
      return `[${j.v.map(jsonText).join(',')}]`;
    case 'obj':
      return `{${j.v.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  }
}

/** A plain value as a Json tree (for the valid bodies mutations start from). */
export function toJson(x: unknown): Json {
  if (Array.isArray(x)) return { t: 'arr', v: x.map(toJson) };
  if (x !== null && typeof x === 'object') {
    return { t: 'obj', v: Object.entries(x).map(([k, v]) => [k, toJson(v)]) };
  }
  return { t: 'raw', v: JSON.stringify(x) };
}

const raw = (v: string): Json => ({ t: 'raw', v });

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...HOSTILE_STRINGS), fc.integer({ min: 2, max: 3000 }))
      .map(([s, n]) => s.repeat(n).slice(0, 30_000)),
  },
);

/** A key for an object: a prototype key, one of the endpoint's own fields, or anything. */
export function hostileKey(fields: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'role', 'userId', 'balanceCents'),
    ...(fields.length ? [fc.constantFrom(...fields)] : []),
    hostileString,
  );
}

export function hostileJson(fields: readonly string[] = []): fc.Arbitrary<Json> {
  const { value } = fc.letrec<{ value: Json }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...RAW_NUMBERS).map(raw),
      fc.double().map((d) => raw(Number.isFinite(d) ? JSON.stringify(d) : '1e999')),
      fc.integer().map((n) => raw(String(n))),
      hostileString.map((s) => raw(JSON.stringify(s))),
      fc.constantFrom('true', 'false', 'null').map(raw),
      fc.array(tie('value'), { maxLength: 4 }).map((v): Json => ({ t: 'arr', v })),
      fc
        .array(fc.tuple(hostileKey(fields), tie('value')), { maxLength: 4 })
        .map((v): Json => ({ t: 'obj', v })),
    ),
  }));
  return value;
}

/** Nesting `depth` levels deep, as arrays or as objects, with a value at the bottom. */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

type Mutation =
  | { op: 'set'; key: string; value: Json }
  | { op: 'drop'; key: string }
  | { op: 'duplicate'; key: string; value: Json }
  | { op: 'replace'; value: Json }
  | { op: 'wrap' };

function mutation(fields: readonly string[]): fc.Arbitrary<Mutation> {
  const key = hostileKey(fields);
  const value = hostileJson(fields);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), key, value }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('drop' as const),
        key: fields.length ? fc.constantFrom(...fields) : key,
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('duplicate' as const), key, value }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('replace' as const), value }) },
    { weight: 1, arbitrary: fc.constant({ op: 'wrap' as const }) },
  );
}

function apply(j: Json, m: Mutation): Json {
  switch (m.op) {
    case 'replace':
      return m.value;
    case 'wrap':
      return { t: 'arr', v: [j] };
    default: {
      if (j.t !== 'obj') return j;
      const entries = j.v.filter(([k]) => m.op === 'duplicate' || k !== m.key);
      if (m.op === 'drop') return { t: 'obj', v: entries };
      return { t: 'obj', v: [...entries, [m.key, m.value]] };
    }
  }
}

/** One to three mutations of a valid body, as JSON text. */
export function mutatedBody(valid: Record<string, unknown>, extraFields: string[] = []) {
  const fields = [...new Set([...Object.keys(valid), ...extraFields])];
  return fc
    .array(mutation(fields), { minLength: 1, maxLength: 3 })
    .map((ms) => jsonText(ms.reduce(apply, toJson(valid))));
}

/**
 * A body as the server's JSON parser reads it (body-parser in strict mode: an object or array
 * at the top, leading whitespace allowed, a UTF-8 BOM dropped; an empty body is `{}`), or
 * `undefined` when it refuses the text.
 */
export function parseLikeServer(text: string): { ok: true; value: unknown } | { ok: false } {
  const t = text.replace(/^\ufeff/, '');
  if (t.length === 0) return { ok: true, value: {} };
  if (!/^[ \t\n\r]*[[{]/.test(t)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch {
    return { ok: false };
  }
}

/** encodeURIComponent, after replacing the surrogates it would throw on. */
export const encode = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));

/** Query strings with the shapes parsers trip on: brackets, repeats, prototype keys, garbage. */
export function hostileQuery(fields: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom(...fields),
    fields.length
      ? fc
          .constantFrom(...fields)
          .chain((f) => fc.constantFrom(`${f}[]`, `${f}[a]`, `${f}[0]`, `${f}.x`))
      : fc.constant('x[]'),
    fc.constantFrom('__proto__', '__proto__[x]', 'constructor[prototype][x]', 'prototype', ''),
    hostileString.map(encode),
  );
  const value = fc.oneof(
    fc.constantFrom(...RAW_NUMBERS),
    fc.constantFrom('open', 'all', 'brier', 'profit', 'delivered', '10', '', '%', '%zz', '%00'),
    hostileString.map(encode),
    // Raw, except what cannot travel in a request line unencoded.
    hostileString.map((s) => s.replace(/[&#]/g, '').replace(/[^\x21-\x7e]/g, (c) => encode(c))),
  );
  const pair = fc.oneof(
    fc.tuple(key, value).map(([k, v]) => `${k}=${v}`),
    key,
    fc.constant('&&'),
  );
  // Under Node's 16 KB limit on the request line and headers (past it Node answers 431 itself).
  return fc.array(pair, { minLength: 1, maxLength: 5 }).map((ps) => ps.join('&').slice(0, 6000));
}

/** Path segments: encoded hostile strings, and raw garbage that must not be decoded twice. */
export const hostileSegment: fc.Arbitrary<string> = fc
  .oneof(
    hostileString.filter((s) => s.length > 0).map(encode),
    fc.constantFrom(
      '%',
      '%zz',
      '%E0%A4%A',
      '%00',
      '%2e%2e',
      '..%2f..%2fetc%2fpasswd',
      '%252e%252e%252f',
      '%C0%AE%C0%AE',
      '..%5c..%5c',
      'a%2Fb',
      '%u002e',
      'x'.repeat(5000),
      '%F0%9F%98%80',
      '%EF%BB%BF',
    ),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }).map(encode),
  )
  .map((segment) => segment.slice(0, 6000));
