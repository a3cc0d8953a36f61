import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy the test controls, standing between a server and PostgreSQL or Redis: `pause()`
 * cuts every connection through it and refuses new ones, `resume()` forwards again on the same
 * port. Refusing is `reset` (the default: each new connection is accepted and destroyed at once,
 * as by a server going away) or `refuse` (nothing listens on the port: ECONNREFUSED, as when
 * the host is up and the service is not).
 */
export interface TcpProxy {
  /** The port it listens on (127.0.0.1), the same for its whole life. */
  port: number;
  readonly paused: boolean;
  /** Connections accepted and forwarded so far. */
  readonly forwarded: number;
  /** Chunks of data sent by clients to the target so far (about one per request). */
  readonly chunksIn: number;
  /** Destroys every open connection and refuses new ones. */
  pause(mode?: 'reset' | 'refuse'): void;
  /** Forwards again (listening again on the same port after a `refuse`). */
  resume(): Promise<void>;
  /** Connections open through it now. */
  open(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let paused = false;
  let forwarded = 0;
  let chunksIn = 0;
  const server = createServer((client) => {
    client.on('error', () => {});
    if (paused) {
      client.destroy();
      return;
    }
    forwarded += 1;
    const upstream = connect(target.port, target.host);
    upstream.on('error', () => {});
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('data', () => {
      chunksIn += 1;
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  let listening = true;
  const cutAll = () => {
    for (const [a, b] of [...pairs]) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    get paused() {
      return paused;
    },
    get forwarded() {
      return forwarded;
    },
    get chunksIn() {
      return chunksIn;
    },
    pause: (mode = 'reset') => {
      paused = true;
      if (mode === 'refuse' && listening) {
        listening = false;
        server.close();
      }
      cutAll();
    },
    resume: async () => {
      if (!listening) {
        await listen(port);
        listening = true;
      }
      paused = false;
    },
    open: () => pairs.size,
    close: () =>
      new Promise<void>((resolve) => {
        paused = true;
        cutAll();
        if (!listening) resolve();
        else server.close(() => resolve());
      }),
  };
}

/** `url` (postgres://, redis://) with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: Pick<TcpProxy, 'port'>): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}

/** The host and port a URL names (with the scheme's default port). */
export function hostPortOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  const defaults: Record<string, number> = {
    'postgres:': 5432,
    'postgresql:': 5432,
    'redis:': 6379,
  };
  return { host: u.hostname, port: Number(u.port || defaults[u.protocol] || 0) };
}
