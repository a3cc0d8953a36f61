// What the live-update benchmarks share: many socket.io clients, a paced trade driver, and the
// tally of arrival latencies by seq.
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { percentile } from '../test/helpers/childServer.ts';

export async function connectAll(
  url: string,
  n: number,
  setup: (s: Socket) => Promise<void>,
): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const batch = 100;
  for (let i = 0; i < n; i += batch) {
    const group = Array.from({ length: Math.min(batch, n - i) }, () => {
      const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
      sockets.push(s);
      return new Promise<void>((resolve, reject) => {
        s.once('connect', () => setup(s).then(resolve, reject));
        s.once('connect_error', reject);
      });
    });
    await Promise.all(group);
  }
  return sockets;
}

export function summary(latencies: number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = latencies.slice().sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    n: sorted.length,
  };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json().catch(() => null)) as any,
    headers: res.headers,
  };
}

/** Arrival times of updates at every client, by seq. */
export function receiptLog() {
  const receipts = new Map<number, number[]>();
  const record = (seq: number) => {
    const t = performance.timeOrigin + performance.now();
    const list = receipts.get(seq) ?? [];
    receipts.set(seq, list);
    list.push(t);
  };
  return { receipts, record };
}

/**
 * Sends `tradeCount` requests at `perSecond`; `send` resolves to the seq its request caused.
 * Returns, by seq, when each request was sent and when it was answered.
 */
export async function drive(
  send: (i: number) => Promise<number>,
  tradeCount: number,
  perSecond: number,
) {
  const sent = new Map<number, number>();
  const answered = new Map<number, number>();
  for (let i = 0; i < tradeCount; i++) {
    const started = performance.now();
    const seq = await send(i);
    answered.set(seq, performance.timeOrigin + performance.now());
    sent.set(seq, performance.timeOrigin + started);
    const wait = 1000 / perSecond - (performance.now() - started);
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
  }
  await new Promise((res) => setTimeout(res, 500));
  return { sent, answered };
}

/** Latency from the answer and from the send, over every client, and updates never received. */
export function tally(
  n: number,
  receipts: Map<number, number[]>,
  { sent, answered }: Awaited<ReturnType<typeof drive>>,
) {
  const latencies: number[] = [];
  const fromSend: number[] = [];
  let missing = 0;
  for (const [seq, at] of answered) {
    const got = receipts.get(seq) ?? [];
    missing += n - got.length;
    // An update can beat the HTTP response to the client; that counts as zero latency.
    for (const t of got) {
      latencies.push(Math.max(0, t - at));
      fromSend.push(t - sent.get(seq)!);
    }
  }
  return { ...summary(latencies), send: summary(fromSend), missing };
}

export async function traderToken(url: string, username: string): Promise<string> {
  const reg = await post(`${url}/api/auth/register`, { username, password: 'password-123' });
  const cookie = reg.headers.get('set-cookie')!.split(';')[0]!;
  const tok = await post(`${url}/api/me/tokens`, {}, { cookie, origin: url });
  return tok.body.token;
}
