import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pidOwningLocalPort } from './procSockets.ts';

/**
 * A generic-webhook endpoint that takes its time to answer (so that deliveries are in flight
 * when a node is killed) and notes which of the test's child processes sent each request (by
 * the sending socket's port, from /proc).
 */

export interface SinkRequest {
  /** The delivery id: the `X-Parity-Delivery` header. */
  delivery: string | undefined;
  /** `id` in the body, which must equal the header. */
  bodyId: string | undefined;
  event: string | undefined;
  marketId: string | undefined;
  at: number;
  /** The child process that sent it, if found. */
  senderPid: number | undefined;
  answered: boolean;
}

export interface WebhookSink {
  url: string;
  requests: SinkRequest[];
  /** Requests received whose answer is still being held back. */
  pending(): SinkRequest[];
  close(): Promise<void>;
}

export async function startWebhookSink(opts: {
  /** How long each answer is held back, ms. */
  delayMs: number;
  /** The pids that may be senders (the nodes now up). */
  pids: () => number[];
}): Promise<WebhookSink> {
  const requests: SinkRequest[] = [];
  const server = createServer((req, res) => {
    const remotePort = req.socket.remotePort;
    // While the request's connection is open, its port names the sending process.
    const senderPid =
      remotePort === undefined ? undefined : pidOwningLocalPort(remotePort, opts.pids());
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let json: { id?: unknown; market?: { id?: unknown } } | undefined;
      try {
        json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        json = undefined;
      }
      const header = req.headers['x-parity-delivery'];
      const r: SinkRequest = {
        delivery: typeof header === 'string' ? header : undefined,
        bodyId: typeof json?.id === 'string' ? json.id : undefined,
        event:
          typeof req.headers['x-parity-event'] === 'string'
            ? req.headers['x-parity-event']
            : undefined,
        marketId: typeof json?.market?.id === 'string' ? json.market.id : undefined,
        at: Date.now(),
        senderPid,
        answered: false,
      };
      requests.push(r);
      setTimeout(() => {
        r.answered = true;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      }, opts.delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    pending: () => requests.filter((r) => !r.answered),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
