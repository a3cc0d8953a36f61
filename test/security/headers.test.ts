import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type TestServer } from '../helpers/server.ts';

/**
 * The browser-facing defences against XSS, clickjacking and cross-origin reads: the content
 * security policy, framing, no CORS, the session cookie's flags, and a client that never
 * writes raw HTML.
 */

let server: TestServer;
const foreign = 'https://evil.example';

beforeAll(async () => {
  server = await startServer({ env: { SEED: 'off', TRUST_PROXY: '1' } });
});
afterAll(() => server?.close());

/** The directives of a Content-Security-Policy header. */
function csp(header: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

describe('response headers', () => {
  it('sends a script policy that allows only our own scripts, on pages and API answers alike', async () => {
    for (const path of ['/', '/markets/anything', '/api/health', '/api/no-such-route']) {
      const res = await fetch(server.url + path);
      const policy = csp(res.headers.get('content-security-policy'));
      expect(policy.get('script-src'), path).toEqual(["'self'"]);
      expect(policy.get('script-src-attr'), path).toEqual(["'none'"]);
      expect(policy.get('object-src'), path).toEqual(["'none'"]);
      expect(policy.get('base-uri'), path).toEqual(["'self'"]);
      expect(policy.get('default-src'), path).toEqual(["'self'"]);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('lets no other site frame the app, and any site frame an embed', async () => {
    const page = await fetch(`${server.url}/markets/x`);
    expect(csp(page.headers.get('content-security-policy')).get('frame-ancestors')).toEqual([
      "'none'",
    ]);
    expect(page.headers.get('x-frame-options')).not.toBeNull();
    const embed = await fetch(`${server.url}/embed/x`);
    expect(csp(embed.headers.get('content-security-policy')).get('frame-ancestors')).toEqual(['*']);
    expect(embed.headers.get('x-frame-options')).toBeNull();
  });

  it('answers API errors as JSON, so a path with markup in it is never rendered', async () => {
    const res = await fetch(`${server.url}/api/%3Cscript%3Ealert(1)%3C%2Fscript%3E`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('grants no cross-origin reads: no CORS headers on the API, its preflights or the socket handshake', async () => {
    const c = new Client(server.url);
    await c.register('cors_probe');
    const reads = [
      await fetch(`${server.url}/api/me`, { headers: { origin: foreign, cookie: c.cookie! } }),
      await fetch(`${server.url}/api/markets`, { headers: { origin: foreign } }),
      await fetch(`${server.url}/api/me`, {
        method: 'OPTIONS',
        headers: {
          origin: foreign,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      }),
      await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
        headers: { origin: foreign, cookie: c.cookie! },
      }),
    ];
    for (const res of reads) {
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});

describe('the session cookie', () => {
  it('is HttpOnly and SameSite=Lax, and Secure when the request came over HTTPS', async () => {
    const plain = await new Client(server.url).raw('POST', '/api/auth/register', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'cookie_plain', password: 'password-123' }),
    });
    const viaTls = await new Client(server.url).raw('POST', '/api/auth/register', {
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ username: 'cookie_tls', password: 'password-123' }),
    });
    for (const res of [plain, viaTls]) {
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^parity_session=[A-Za-z0-9_-]{43}; /);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Lax');
      expect(cookie).toContain('Path=/');
    }
    expect(plain.headers.get('set-cookie')).not.toContain('Secure');
    expect(viaTls.headers.get('set-cookie')).toContain('Secure');
  });
});

describe('the browser client', () => {
  /** Every source file under a directory. */
  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sources(path);
      return /\.(tsx?|jsx?)$/.test(name) ? [path] : [];
    });
  }

  it('never writes raw HTML or runs strings as code, so market text and comments stay text', () => {
    const files = sources('client/src');
    expect(files.length).toBeGreaterThan(0);
    const sinks =
      /dangerouslySetInnerHTML|\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(|srcDoc=|javascript:/;
    const found = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => ({ f, line: i + 1, text: line }))
        .filter((x) => sinks.test(x.text))
        .map((x) => `${x.f}:${x.line}: ${x.text.trim()}`),
    );
    expect(found).toEqual([]);
  });

  it('builds link targets from ids and slugs, never from text a user wrote', () => {
    const files = sources('client/src');
    // Free text (questions, descriptions, comments, labels, claims, notes) is shown as text;
    // an href, src or route built from it could carry javascript: or a foreign URL.
    const freeText = /\.(question|description|criteria|comment|label|source|said|note|who)\b/;
    const targets = files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\b(href|src|to)=\{([^}]*)\}/g)].map((m) => ({
        f,
        expr: m[2]!,
      })),
    );
    expect(targets.length).toBeGreaterThan(5);
    expect(targets.filter((t) => freeText.test(t.expr)).map((t) => `${t.f}: ${t.expr}`)).toEqual(
      [],
    );
  });
});
