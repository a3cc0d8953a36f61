import type { Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  Market,
  MarketUpdate,
  ServerToClientEvents,
  SubscribeAck,
  SubscribePayload,
} from '../../../shared/schemas/index.ts';
import { MarketUpdate as MarketUpdateSchema } from '../../../shared/schemas/index.ts';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** Updates held while a market syncs; more than this many means refetching anyway. */
const MAX_PENDING = 256;

export type MarketListener = (market: Market) => void;

/** What the live client needs from a socket: the events it listens to and sends. */
export interface LiveSource {
  on: LiveSocket['on'];
  off: LiveSocket['off'];
  emit: LiveSocket['emit'];
  connected: boolean;
}

interface Entry {
  market: Market | null;
  /** A signed embed's token, sent with every subscribe and refetch of a private market. */
  token: string | undefined;
  listeners: Set<MarketListener>;
  /** A refetch or subscribe in flight: updates wait for it. */
  syncing: boolean;
  /** Updates that arrived while syncing, by seq; applied in order once the sync lands. */
  pending: MarketUpdate[];
}

/** Applies a market:update's state to a market (updates carry the full latest state). */
export function applyUpdate(m: Market, u: MarketUpdate): Market {
  return {
    ...m,
    seq: u.seq,
    status: u.status,
    volumeCents: u.volumeCents,
    outcomes: m.outcomes.map((o, i) => ({
      ...o,
      probability: u.probabilities[i] ?? o.probability,
    })),
  };
}

/**
 * Live markets over socket.io that never silently miss a change. Subscribing answers with a
 * snapshot carrying `seq`; each `market:update` names the seq before it (`prevSeq`), so:
 * an update at or below the known seq is stale and ignored; one whose `prevSeq` is at or below
 * the known seq is applied; anything else means an update was lost, and the market is
 * refetched. After a reconnect every market is subscribed again and refetched.
 */
export class LiveMarkets {
  private readonly entries = new Map<string, Entry>();
  private readonly onUpdate = (raw: MarketUpdate) => this.handleUpdate(raw);
  private readonly onConnect = () => {
    for (const id of this.entries.keys()) this.resync(id);
  };
  /** Refetches caused by gaps or reconnects, for tests and diagnostics. */
  refetches = 0;

  constructor(
    private readonly socket: LiveSource,
    private readonly fetchMarket: (id: string, embedToken?: string) => Promise<Market>,
  ) {
    socket.on('market:update', this.onUpdate);
    socket.on('connect', this.onConnect);
  }

  /**
   * Follows a market; the listener gets every new state. `embedToken` (from a signed embed URL)
   * lets a non-member follow a private market. Returns the unsubscribe function.
   */
  subscribe(id: string, listener: MarketListener, embedToken?: string): () => void {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = {
        market: null,
        token: embedToken,
        listeners: new Set(),
        syncing: false,
        pending: [],
      };
      this.entries.set(id, entry);
      if (this.socket.connected) this.resync(id, false);
    } else if (entry.market) {
      listener(entry.market);
    }
    entry.listeners.add(listener);
    return () => {
      const e = this.entries.get(id);
      if (!e) return;
      e.listeners.delete(listener);
      if (e.listeners.size === 0) {
        this.entries.delete(id);
        this.socket.emit('unsubscribe', id);
      }
    };
  }

  /** The latest known state of a followed market. */
  get(id: string): Market | null {
    return this.entries.get(id)?.market ?? null;
  }

  /** Stops listening to the socket. */
  close(): void {
    this.socket.off('market:update', this.onUpdate);
    this.socket.off('connect', this.onConnect);
    this.entries.clear();
  }

  private set(id: string, market: Market): void {
    const e = this.entries.get(id);
    if (!e) return;
    if (e.market && market.seq < e.market.seq) return;
    e.market = market;
    for (const l of e.listeners) l(market);
  }

  private handleUpdate(raw: MarketUpdate): void {
    const parsed = MarketUpdateSchema.safeParse(raw);
    if (!parsed.success) return;
    const u = parsed.data;
    const e = this.entries.get(u.marketId);
    if (!e) return;
    if (!e.market || e.syncing) {
      // Kept in order so that a run of consecutive updates is not mistaken for a gap; past the
      // cap the oldest go, and the gap they leave makes a refetch.
      e.pending.push(u);
      e.pending.sort((a, b) => a.seq - b.seq);
      if (e.pending.length > MAX_PENDING) e.pending.shift();
      return;
    }
    const known = e.market.seq;
    if (u.seq <= known) return;
    const prev = u.prevSeq ?? u.seq - 1;
    if (prev > known) {
      this.resync(u.marketId);
      return;
    }
    const statusChanged = u.status !== e.market.status;
    this.set(u.marketId, applyUpdate(e.market, u));
    // A new status brings more than an update holds (the resolution and its note): fetch it.
    if (statusChanged) this.refresh(u.marketId);
  }

  /** Reloads a followed market over HTTP, keeping it only if it is not older than what we have. */
  private refresh(id: string): void {
    this.fetchMarket(id, this.entries.get(id)?.token).then(
      (m) => {
        const e = this.entries.get(id);
        if (e?.market && m.seq >= e.market.seq) {
          e.market = m;
          for (const l of e.listeners) l(m);
        }
      },
      () => undefined,
    );
  }

  /** Subscribes (again) and takes the snapshot; with `refetch`, also reloads over HTTP. */
  private resync(id: string, refetch = true): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.syncing = true;
    if (refetch) this.refetches += 1;
    const payload: SubscribePayload = e.token ? { marketId: id, token: e.token } : id;
    this.socket.emit('subscribe', payload, (ack: SubscribeAck) => {
      const done = (m: Market | null) => {
        const cur = this.entries.get(id);
        if (!cur) return;
        cur.syncing = false;
        if (m) this.set(id, m);
        const pending = cur.pending;
        cur.pending = [];
        if (!cur.market) return;
        for (const u of pending) {
          this.handleUpdate(u);
          // A gap among the held updates started another sync; it takes the rest.
          if (cur.syncing) {
            cur.pending.push(...pending.slice(pending.indexOf(u) + 1));
            break;
          }
        }
      };
      if (!ack.ok) {
        done(null);
        return;
      }
      if (!refetch) {
        done(ack.market);
        return;
      }
      this.fetchMarket(id, e.token).then(
        (m) => done(m.seq >= ack.market.seq ? m : ack.market),
        () => done(ack.market),
      );
    });
  }
}
