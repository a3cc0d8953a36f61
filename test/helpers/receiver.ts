import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny HTTP server on an ephemeral port standing in for Slack, Discord, Teams and generic
 * webhook endpoints: it records every request and answers as the test scripts it.
 */

export interface ReceivedRequest {
  method: string;
  /** Path and query, as requested. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The exact bytes of the body, as text. */
  body: string;
  /** The body parsed as JSON, or undefined. */
  json: any;
  /** Date.now() when the request arrived. */
  at: number;
  /** The status it was answered with. */
  status: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Answers a request; undefined falls through to 200 "ok". */
export type Handler = (req: ReceivedRequest) => Reply | undefined;

export interface Receiver {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: ReceivedRequest[];
  /** Replaces how requests are answered. */
  handle(h: Handler): void;
  /** Answers the next requests to `path` with these replies, in order, then falls through. */
  script(path: string, replies: Reply[]): void;
  /** Requests to a path (without the query). */
  to(path: string): ReceivedRequest[];
  /** Waits until `pred` holds over the requests received, or fails after `timeoutMs`. */
  waitFor(pred: (rs: ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function startReceiver(handler?: Handler): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const scripts = new Map<string, Reply[]>();
  let handle: Handler = handler ?? (() => undefined);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const u = new URL(req.url ?? '/', 'http://receiver');
      const r: ReceivedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body,
        json: parseJson(body),
        at: Date.now(),
        status: 200,
      };
      const queued = scripts.get(u.pathname);
      const reply = (queued && queued.length > 0 ? queued.shift() : undefined) ?? handle(r) ?? {};
      r.status = reply.status ?? 200;
      requests.push(r);
      const text =
        reply.body === undefined
          ? 'ok'
          : typeof reply.body === 'string'
            ? reply.body
            : JSON.stringify(reply.body);
      res.writeHead(r.status, {
        'content-type': typeof reply.body === 'object' ? 'application/json' : 'text/plain',
        ...reply.headers,
      });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (h) => {
      handle = h;
    },
    script: (path, replies) => {
      scripts.set(path, [...(scripts.get(path) ?? []), ...replies]);
    },
    to: (path) => requests.filter((r) => r.path === path),
    waitFor: async (pred, timeoutMs = 5000) => {
      const until = Date.now() + timeoutMs;
      while (!pred(requests)) {
        if (Date.now() > until) {
          const seen = requests.map((r) => `${r.method} ${r.url} → ${r.status}`).join('\n  ');
          throw new Error(`receiver: condition not met within ${timeoutMs} ms; saw\n  ${seen}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * Answers like Discord's webhook API: `POST ?wait=true` returns the message with a new id,
 * `PATCH .../messages/<id>` returns it edited, a plain POST answers 204.
 */
export function discordLike(): Handler {
  let next = 1000;
  return (req) => {
    const edit = /\/messages\/([^/]+)$/.exec(req.path);
    if (req.method === 'PATCH' && edit) return { status: 200, body: { id: edit[1], ...req.json } };
    if (req.method === 'POST' && req.query.get('wait') === 'true') {
      return { status: 200, body: { id: String(next++), ...req.json } };
    }
    if (req.method === 'POST') return { status: 204, body: '' };
    return undefined;
  };
}

/** Answers like Slack's Web API: chat.postMessage returns a channel and ts; chat.update echoes them. */
export function slackApiLike(): Handler {
  let next = 1;
  return (req) => {
    if (req.path.endsWith('/chat.postMessage')) {
      return {
        body: {
          ok: true,
          channel: req.json?.channel,
          ts: `1700000000.${String(next++).padStart(6, '0')}`,
        },
      };
    }
    if (req.path.endsWith('/chat.update')) {
      return { body: { ok: true, channel: req.json?.channel, ts: req.json?.ts } };
    }
    return undefined;
  };
}
