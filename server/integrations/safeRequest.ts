import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Outgoing HTTP for webhooks, guarded against server-side request forgery: the host is
 * resolved first, every address it resolves to must be public unicast, and the connection goes
 * to an address that was checked (a custom `lookup`), so a DNS answer cannot change between the
 * check and the connect. Redirects are never followed.
 */

export interface OutgoingRequest {
  method: 'POST' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Skip the address check (WEBHOOK_ALLOW_PRIVATE: tests, local receivers). */
  allowPrivate: boolean;
  /** Name resolution (default: the system resolver, as `dns.lookup` with `all`). */
  resolve?: Resolver;
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true });

export interface OutgoingResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** At most MAX_BODY bytes of the answer, as text. */
  body: string;
}

/** A refusal before any byte was sent: the address is not allowed or the URL is unusable. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
}

const MAX_BODY = 64 * 1024;

/** Why an address may not be contacted, or null when it is public unicast. */
export function blockedRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? null : range;
}

function hostOf(url: URL): string {
  // URL keeps IPv6 literals in brackets; a fully qualified name's trailing dot ("localhost.")
  // names the same host.
  return url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '');
}

/** Checks a URL before any DNS: the scheme, and a literal address or localhost. */
export function checkUrlShape(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https URLs';
  if (url.username || url.password) return 'credentials in the URL are not allowed';
  if (allowPrivate) return null;
  const host = hostOf(url).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'a loopback host';
  if (ipaddr.isValid(host)) {
    const blocked = blockedRange(host);
    if (blocked) return `a ${blocked} address`;
  }
  return null;
}

/** A `lookup` for net.connect that refuses when any resolved address is not public unicast. */
export function guardedLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refusal =
          addresses.length === 0
            ? `${hostname} resolves to no address`
            : addresses
                .map((a) => ({ a, blocked: blockedRange(a.address) }))
                .filter((x) => x.blocked)
                .map((x) => `${hostname} resolves to ${x.a.address} (${x.blocked})`)[0];
        if (refusal) {
          callback(new BlockedAddressError(`refused: ${refusal}`), '', 0);
          return;
        }
        const family =
          options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        const first = usable[0];
        if (!first) callback(new Error(`${hostname} has no IPv${family} address`), '', 0);
        else if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** Sends one request; rejects on a blocked address, a network error or the timeout. */
export function safeRequest(req: OutgoingRequest): Promise<OutgoingResponse> {
  const shape = checkUrlShape(req.url, req.allowPrivate);
  if (shape) return Promise.reject(new BlockedAddressError(`refused ${shape}`));
  const url = new URL(req.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolveOk, rejectErr) => {
    let deadline: NodeJS.Timeout | undefined;
    const resolve = (v: OutgoingResponse) => {
      clearTimeout(deadline);
      resolveOk(v);
    };
    const reject = (e: unknown) => {
      clearTimeout(deadline);
      rejectErr(e);
    };
    const body = Buffer.from(req.body, 'utf8');
    const r = send(
      url,
      {
        method: req.method,
        headers: { ...req.headers, 'content-length': String(body.length) },
        // Literal addresses never reach lookup; checkUrlShape judged those above.
        ...(req.allowPrivate ? {} : { lookup: guardedLookup(req.resolve) }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8'),
          }),
        );
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('the connection closed mid-answer'));
        });
      },
    );
    // A deadline for the whole exchange, so a destination that trickles bytes cannot hold a slot.
    deadline = setTimeout(
      () => r.destroy(new Error(`no complete answer within ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    r.on('error', reject);
    r.end(body);
  });
}
