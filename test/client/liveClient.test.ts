import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyUpdate, LiveMarkets, type LiveSource } from '../../client/src/live/liveClient.ts';
import type { Market, MarketUpdate, SubscribeAck } from '../../shared/schemas/index.ts';

type Handler = (...args: any[]) => void;

/**
 * A stand-in for a socket.io client socket: it records what the live client sends and lets a
 * test deliver server events and answer subscribe acks by hand, in any order.
 */
class FakeSource {
  connected = true;
  readonly handlers = new Map<string, Set<Handler>>();
  readonly sent: { event: string; args: unknown[] }[] = [];
  /** Subscribe acks not answered yet, oldest first. */
  readonly acks: { id: string; ack: (a: SubscribeAck) => void }[] = [];

  on(event: string, h: Handler) {
    const set = this.handlers.get(event) ?? new Set<Handler>();
    this.handlers.set(event, set);
    set.add(h);
    return this;
  }
  off(event: string, h: Handler) {
    this.handlers.get(event)?.delete(h);
    return this;
  }
  emit(event: string, ...args: any[]) {
    this.sent.push({ event, args });
    if (event === 'subscribe') this.acks.push({ id: args[0], ack: args[1] });
    return this;
  }
  deliver(event: string, payload?: unknown) {
    for (const h of this.handlers.get(event) ?? []) h(payload);
  }
  /** Answers the oldest pending subscribe with `market` as the snapshot. */
  answer(market: Market) {
    const next = this.acks.shift();
    if (!next) throw new Error('no subscribe to answer');
    next.ack({ ok: true, market });
  }
  asSource(): LiveSource {
    return this as unknown as LiveSource;
  }
}

/** The server's state of a binary market after `seq` changes, P(yes) = 0.5 + seq / 1000. */
function stateAt(seq: number, id = 'm'): Market {
  const p = 0.5 + seq / 1000;
  return {
    id,
    question: 'Will it happen?',
    description: '',
    type: 'binary',
    outcomes: [
      { id: 'yes', label: 'Yes', probability: p, shares: seq },
      { id: 'no', label: 'No', probability: 1 - p, shares: 0 },
    ],
    liquidity: 100,
    status: 'open',
    createdAt: '2026-01-01T00:00:00.000Z',
    closesAt: '2027-01-01T00:00:00.000Z',
    volumeCents: seq * 100,
    seq,
    resolution: null,
    claims: [],
  };
}

function updateAt(seq: number, prevSeq?: number, id = 'm'): MarketUpdate {
  const m = stateAt(seq, id);
  return {
    marketId: id,
    seq,
    ...(prevSeq === undefined ? {} : { prevSeq }),
    probabilities: m.outcomes.map((o) => o.probability),
    volumeCents: m.volumeCents,
    status: 'open',
    at: '2026-01-02T00:00:00.000Z',
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

/** A live client on a fake socket whose refetches answer with `server.seq`'s state. */
function setup(initialSeq = 3) {
  const src = new FakeSource();
  const server = { seq: initialSeq, fetches: 0 };
  const live = new LiveMarkets(src.asSource(), async (id) => {
    server.fetches += 1;
    return stateAt(server.seq, id);
  });
  const seen: number[] = [];
  const off = live.subscribe('m', (m) => seen.push(m.seq));
  src.answer(stateAt(initialSeq));
  return { src, server, live, seen, off };
}

describe('LiveMarkets', () => {
  it('takes the subscribe snapshot as the starting state', () => {
    const { src, live, seen } = setup(3);
    expect(src.sent[0]?.event).toBe('subscribe');
    expect(src.sent[0]?.args[0]).toBe('m');
    expect(seen).toEqual([3]);
    expect(live.get('m')?.outcomes[0]?.probability).toBe(0.503);
  });

  it('applies the next update and tells every listener', () => {
    const { src, live, seen } = setup(3);
    const other: number[] = [];
    live.subscribe('m', (m) => other.push(m.seq));
    src.deliver('market:update', updateAt(4));
    expect(seen).toEqual([3, 4]);
    // A second listener gets the current state at once, then the update.
    expect(other).toEqual([3, 4]);
    // 0.5 + 4/1000 = 0.504; the no side is 1 - 0.504.
    expect(live.get('m')?.outcomes.map((o) => o.probability)).toEqual([0.504, 1 - 0.504]);
    expect(live.get('m')?.volumeCents).toBe(400);
  });

  it('ignores updates at or below the seq it already has', () => {
    const { src, live, seen, server } = setup(5);
    src.deliver('market:update', updateAt(5));
    src.deliver('market:update', updateAt(2));
    expect(seen).toEqual([5]);
    expect(live.get('m')?.seq).toBe(5);
    expect(server.fetches).toBe(0);
  });

  it('refetches on a gap and continues from the refetched seq', async () => {
    const { src, live, seen, server } = setup(3);
    server.seq = 6;
    // seq 4 and 5 were lost: 6 arrives with no prevSeq, so 6 > 3 + 1 is a gap.
    src.deliver('market:update', updateAt(6));
    expect(src.acks).toHaveLength(1);
    src.answer(stateAt(6));
    await flush();
    expect(server.fetches).toBe(1);
    expect(live.refetches).toBe(1);
    expect(live.get('m')?.seq).toBe(6);
    src.deliver('market:update', updateAt(7));
    expect(seen).toEqual([3, 6, 7]);
  });

  it('treats prevSeq above the known seq as a gap and prevSeq at or below it as continuous', async () => {
    const { src, live, server } = setup(3);
    // Coalesced: seq jumps from 3 to 5, but the update before it was 3, so nothing was missed.
    src.deliver('market:update', updateAt(5, 3));
    expect(live.get('m')?.seq).toBe(5);
    expect(server.fetches).toBe(0);
    // The update sent before 9 was 7, which never arrived.
    server.seq = 9;
    src.deliver('market:update', updateAt(9, 7));
    src.answer(stateAt(9));
    await flush();
    expect(server.fetches).toBe(1);
    expect(live.get('m')?.seq).toBe(9);
  });

  it('holds updates that arrive during a refetch and applies them in order after it', async () => {
    const { src, live, seen, server } = setup(3);
    server.seq = 5;
    src.deliver('market:update', updateAt(5));
    // While the resubscribe is in flight, 6 and 7 arrive.
    src.deliver('market:update', updateAt(6));
    src.deliver('market:update', updateAt(7));
    src.answer(stateAt(5));
    await flush();
    expect(live.get('m')?.seq).toBe(7);
    expect(seen).toEqual([3, 5, 6, 7]);
    expect(live.refetches).toBe(1);
  });

  it('subscribes every market again and refetches after a reconnect', async () => {
    const { src, live, server } = setup(3);
    live.subscribe('n', () => undefined);
    src.answer(stateAt(1, 'n'));
    src.connected = false;
    src.deliver('disconnect');
    server.seq = 8;
    src.connected = true;
    src.deliver('connect');
    expect(src.acks.map((a) => a.id).sort()).toEqual(['m', 'n']);
    src.answer(stateAt(8));
    src.answer(stateAt(1, 'n'));
    await flush();
    expect(live.refetches).toBe(2);
    expect(live.get('m')?.seq).toBe(8);
  });

  it('waits for the first connect before subscribing', () => {
    const src = new FakeSource();
    src.connected = false;
    const live = new LiveMarkets(src.asSource(), async (id) => stateAt(0, id));
    live.subscribe('m', () => undefined);
    expect(src.acks).toHaveLength(0);
    src.connected = true;
    src.deliver('connect');
    expect(src.acks.map((a) => a.id)).toEqual(['m']);
  });

  it('unsubscribes from the server when the last listener leaves', () => {
    const { src, live, off } = setup(3);
    const off2 = live.subscribe('m', () => undefined);
    off();
    expect(src.sent.some((s) => s.event === 'unsubscribe')).toBe(false);
    off2();
    expect(src.sent.at(-1)).toEqual({ event: 'unsubscribe', args: ['m'] });
    src.deliver('market:update', updateAt(4));
    expect(live.get('m')).toBeNull();
  });

  it('drops payloads that do not match the schema', () => {
    const { src, live } = setup(3);
    src.deliver('market:update', { ...updateAt(4), probabilities: [2, -1] });
    src.deliver('market:update', 'garbage');
    expect(live.get('m')?.seq).toBe(3);
  });

  it('applyUpdate keeps labels and takes the new probabilities, status and volume', () => {
    const m = stateAt(1);
    const u = { ...updateAt(2), status: 'closed' as const };
    const next = applyUpdate(m, u);
    expect(next.outcomes.map((o) => o.label)).toEqual(['Yes', 'No']);
    expect(next.outcomes[0]?.probability).toBe(0.502);
    expect(next.status).toBe('closed');
    expect(next.seq).toBe(2);
  });

  it('never goes backwards and ends on the server state, whatever is lost, repeated or reordered', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 60 }),
        async (last, noise) => {
          const src = new FakeSource();
          const server = { seq: 0 };
          const live = new LiveMarkets(src.asSource(), async (id) => stateAt(server.seq, id));
          const seen: Market[] = [];
          live.subscribe('m', (m) => seen.push(m));
          src.answer(stateAt(0));
          server.seq = last;
          // Any mix of old, repeated and out-of-order updates, then the final one.
          for (const s of [...noise.filter((n) => n <= last), last]) {
            src.deliver('market:update', updateAt(s));
            while (src.acks.length) src.answer(stateAt(server.seq));
            await flush();
          }
          for (let i = 1; i < seen.length; i++) {
            expect(seen[i]!.seq).toBeGreaterThan(seen[i - 1]!.seq);
          }
          // Each state shown is the server's state at that seq, never a mix.
          for (const m of seen) {
            expect(m.outcomes[0]!.probability).toBeCloseTo(stateAt(m.seq).outcomes[0]!.probability);
            expect(m.volumeCents).toBe(m.seq * 100);
          }
          expect(live.get('m')?.seq).toBe(last);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('LiveMarkets status changes', () => {
  it('fetches the whole market when its status changes, so the resolution arrives', async () => {
    const src = new FakeSource();
    const resolved: Market = {
      ...stateAt(4),
      status: 'resolved',
      resolution: { outcomeId: 'yes', resolvedAt: '2026-01-03T00:00:00.000Z', note: 'It did.' },
    };
    let fetches = 0;
    const live = new LiveMarkets(src.asSource(), async () => {
      fetches += 1;
      return resolved;
    });
    live.subscribe('m', () => undefined);
    src.answer(stateAt(3));
    src.deliver('market:update', { ...updateAt(4), status: 'resolved' });
    // The update itself applies at once; the resolution follows the fetch.
    expect(live.get('m')?.status).toBe('resolved');
    expect(live.get('m')?.resolution).toBeNull();
    await flush();
    expect(fetches).toBe(1);
    expect(live.get('m')?.resolution?.note).toBe('It did.');
    expect(live.refetches).toBe(0);
  });
});

describe('LiveMarkets with a signed embed token', () => {
  it('subscribes and refetches with the token, and unsubscribes by the bare id', async () => {
    const src = new FakeSource();
    const fetched: (string | undefined)[] = [];
    const live = new LiveMarkets(src.asSource(), async (id, token) => {
      fetched.push(token);
      return stateAt(9, id);
    });
    const off = live.subscribe('m', () => undefined, 'tok.en');
    expect(src.sent[0]?.event).toBe('subscribe');
    expect(src.sent[0]?.args[0]).toEqual({ marketId: 'm', token: 'tok.en' });
    src.answer(stateAt(3));
    // A gap refetches over HTTP: with the token too, or a private market would answer 404.
    src.deliver('market:update', updateAt(9));
    expect(src.sent.at(-1)?.args[0]).toEqual({ marketId: 'm', token: 'tok.en' });
    src.answer(stateAt(9));
    await flush();
    expect(fetched).toEqual(['tok.en']);
    expect(live.get('m')?.seq).toBe(9);
    off();
    expect(src.sent.at(-1)).toEqual({ event: 'unsubscribe', args: ['m'] });
  });
});
