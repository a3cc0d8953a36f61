import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/server.ts';
import { hostileString } from './arbitraries.ts';
import {
  expectServerIntact,
  type FuzzServer,
  fcParams,
  fullSnapshot,
  snapshotDiff,
  startFuzzServer,
} from './harness.ts';

/**
 * Bytes on the wire that no HTTP client library would send: malformed request lines, header
 * injection, conflicting Content-Length and Transfer-Encoding (request smuggling), bad chunk
 * sizes, bodies cut short, headers that never end. The server answers with a 4xx (or closes
 * the connection), never a 5xx, logs no error, and keeps answering everyone else.
 */

let s: FuzzServer;
let port: number;
let cookie: string;
const counts = new Map<string, number>();
const count = (family: string) => counts.set(family, (counts.get(family) ?? 0) + 1);

beforeAll(async () => {
  s = await startFuzzServer({ env: { SEED: 'off' } });
  port = s.port;
  const c = new Client(s.url);
  await c.register('fz_wire');
  cookie = c.cookie!;
});

afterAll(async () => {
  console.log(`fuzz wire: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  await s?.stop();
});

/**
 * Writes raw bytes, then reads until the server closes or `waitMs` passes; returns the status
 * codes of every response seen (a pipelined request may get several).
 */
function exchange(bytes: Buffer | string, opts: { waitMs?: number; end?: boolean } = {}) {
  return new Promise<{ statuses: number[]; text: string }>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
      resolve({ statuses, text });
    };
    const timer = setTimeout(finish, opts.waitMs ?? 500);
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(bytes, () => {
      if (opts.end) socket.end();
    });
  });
}

const CRLF = '\r\n';

const requestLine = fc.oneof(
  fc.constantFrom(
    'GET /api/health HTTP/1.1',
    'POST /api/markets HTTP/1.1',
    'GET /api/health HTTP/1.0',
    'GET /api/health HTTP/9.9',
    'GET /api/health',
    'GET  /api/health  HTTP/1.1',
    'get /api/health HTTP/1.1',
    'BREW /api/health HTTP/1.1',
    'GET http://evil.example/api/health HTTP/1.1',
    'GET * HTTP/1.1',
    'CONNECT 127.0.0.1:22 HTTP/1.1',
    'GET /api/health\u0000 HTTP/1.1',
    'GET /api/\u00ff HTTP/1.1',
    '',
  ),
  hostileString.map((x) => `GET /api/${x} HTTP/1.1`),
  hostileString,
);

const header = fc.oneof(
  fc.constantFrom(
    'Host: 127.0.0.1',
    'Host:',
    'Host: a\r\nHost: b',
    'Content-Length: 5',
    'Content-Length: -1',
    'Content-Length: 99999999999999999999',
    'Content-Length: 5, 6',
    'Content-Length: 0x10',
    'Transfer-Encoding: chunked',
    'Transfer-Encoding: chunked, identity',
    'Transfer-Encoding: xchunked',
    'Transfer-Encoding : chunked',
    ' Transfer-Encoding: chunked',
    'Content-Type: application/json',
    'Content-Encoding: gzip',
    'Expect: 100-continue',
    'Connection: upgrade',
    'Upgrade: websocket',
    'X-Folded: a\r\n b',
    `Cookie: ${'x'.repeat(9000)}`,
    'Origin: null',
    'Authorization: Bearer \u0000',
  ),
  fc.constant(`Cookie: ${'parity_session='}`).map((h) => `${h}x`),
  fc.tuple(hostileString, hostileString).map(([k, v]) => `${k.slice(0, 200)}: ${v.slice(0, 2000)}`),
);

const body = fc.oneof(
  fc.constantFrom(
    '',
    '{}',
    '5\r\nhello\r\n0\r\n\r\n',
    'zz\r\nhello\r\n0\r\n\r\n',
    'ffffffffffffffff\r\nhello\r\n',
    '5\r\nhel',
    '0\r\n\r\nGET /api/me HTTP/1.1\r\nHost: x\r\n\r\n',
    '-1\r\n\r\n',
  ),
  hostileString.map((x) => x.slice(0, 5000)),
);

describe('raw HTTP', () => {
  it('answers malformed requests with a 4xx or a closed connection, never a 5xx', async () => {
    const before = await fullSnapshot(s.parity);
    await fc.assert(
      fc.asyncProperty(
        requestLine,
        fc.array(header, { maxLength: 6 }),
        body,
        fc.boolean(),
        async (line, headers, payload, withSession) => {
          const all = [...headers, ...(withSession ? [`Cookie: ${cookie}`] : [])];
          const text = `${line}${CRLF}${all.join(CRLF)}${all.length ? CRLF : ''}${CRLF}${payload}`;
          const { statuses } = await exchange(Buffer.from(text, 'utf8'), {
            waitMs: 300,
            end: true,
          });
          count('raw request');
          const bad = statuses.filter((st) => st >= 500);
          if (bad.length) throw new Error(`5xx for ${JSON.stringify(text.slice(0, 300))}`);
        },
      ),
      fcParams(150),
    );
    expect(snapshotDiff(before, await fullSnapshot(s.parity))).toEqual([]);
  }, 60_000);

  it('refuses a request that carries both Content-Length and Transfer-Encoding, so nothing is smuggled', async () => {
    const smuggled =
      `POST /api/auth/logout HTTP/1.1${CRLF}Host: 127.0.0.1${CRLF}Content-Type: application/json${CRLF}` +
      `Content-Length: 4${CRLF}Transfer-Encoding: chunked${CRLF}Cookie: ${cookie}${CRLF}${CRLF}` +
      `0${CRLF}${CRLF}GET /api/me HTTP/1.1${CRLF}Host: 127.0.0.1${CRLF}${CRLF}`;
    const { statuses } = await exchange(smuggled, { waitMs: 500 });
    count('smuggling');
    // One 400 from the HTTP parser, then the connection is closed: the inner GET never runs.
    expect(statuses).toEqual([400]);
  });

  it('answers a request line or headers past 16 KB with 431 or 414 and carries on', async () => {
    for (const text of [
      `GET /api/markets?${'a'.repeat(20_000)} HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`,
      `GET /api/health HTTP/1.1${CRLF}${`X-A: ${'b'.repeat(1000)}${CRLF}`.repeat(20)}${CRLF}`,
      `GET /api/health HTTP/1.1${CRLF}${'X-A: b\r\n'.repeat(3000)}${CRLF}`,
    ]) {
      const { statuses } = await exchange(text, { waitMs: 500 });
      count('oversized head');
      expect(statuses.length, text.slice(0, 60)).toBe(1);
      expect([400, 414, 431]).toContain(statuses[0]);
    }
  });

  it('survives bodies cut short and headers that never end without logging an error', async () => {
    for (const text of [
      `POST /api/auth/login HTTP/1.1${CRLF}Host: x${CRLF}Content-Type: application/json${CRLF}Content-Length: 1000${CRLF}${CRLF}{"username":`,
      `POST /api/auth/login HTTP/1.1${CRLF}Host: x${CRLF}Content-Type: application/json${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}10${CRLF}{"username":`,
      `GET /api/health HTTP/1.1${CRLF}Host: x${CRLF}X-Slow: `,
      'GET /api/heal',
    ]) {
      // The client gives up (closes) while the server is still waiting for the rest.
      await exchange(text, { waitMs: 100 });
      count('cut short');
    }
    const ok = await fetch(`${s.url}/api/health`);
    expect(ok.status).toBe(200);
  });
});

describe('after the run', () => {
  it('logged no error, raised no unhandled rejection and still answers', async () => {
    await new Promise((r) => setTimeout(r, 100));
    await expectServerIntact(s);
  });
});
