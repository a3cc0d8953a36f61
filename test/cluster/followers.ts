import type { MarketUpdate } from '../../shared/schemas/index.ts';
import { type ClientSocket, connectSocket, sleep, subscribe } from '../helpers/cluster.ts';

/**
 * Socket clients that follow markets across a cluster whose nodes get killed, and check what
 * they receive the way client/src/live/liveClient.ts reads it: the subscribe ack's snapshot
 * sets the known seq; an update at or below it is stale; an update whose prevSeq is above it
 * means something was missed (a gap). A socket whose node dies reconnects to another live node,
 * subscribes again and continues from the new snapshot.
 */

export interface NodeRef {
  /** A name for reports, e.g. `n1#2` (node 1, second launch). */
  name: string;
  url: string;
}

interface Track {
  /** The client's known seq: from snapshots and applied updates. */
  known: number;
  /** The connection whose subscribe ack has arrived for this market. */
  ackedOn: number;
  /** Updates that arrived on a connection before its ack (applied after it, in order). */
  early: { u: MarketUpdate; conn: number }[];
  /** The last update received, and on which connection. */
  last: { seq: number; conn: number } | undefined;
  /** Whether an update has been received on the current connection since its ack. */
  seenOnConn: boolean;
  appliedSeqs: number[];
  statuses: Set<string>;
}

export interface FollowerStats {
  updates: number;
  /** Updates the client ignored as stale (seq at or below its known seq). */
  staleAtResubscribe: number;
  staleInConnection: number;
  /** Gaps at a (re)subscription: the first update's prevSeq above the snapshot. */
  gapsAtResubscribe: number;
  gapsInConnection: number;
  reconnects: number;
  earlyUpdates: number;
}

export class Follower {
  readonly stats: FollowerStats = {
    updates: 0,
    staleAtResubscribe: 0,
    staleInConnection: 0,
    gapsAtResubscribe: 0,
    gapsInConnection: 0,
    reconnects: 0,
    earlyUpdates: 0,
  };
  /** How long each subscribe took to be acknowledged, ms; and the slow ones. */
  readonly ackMs: number[] = [];
  readonly slowAcks: string[] = [];
  /** Subscribes answered with an error (or not at all), tried again. */
  readonly subscribeErrors: string[] = [];
  /** What each gap at a (re)subscription looked like, for the report. */
  readonly boundaryGaps: string[] = [];
  /** Broken promises of the protocol; must stay empty. */
  readonly violations: string[] = [];
  readonly updatesByNode = new Map<string, number>();
  /** Every update received: market|seq → probabilities, to compare with the database. */
  readonly seen = new Map<string, number[]>();
  private readonly tracks = new Map<string, Track>();
  private socket: ClientSocket | undefined;
  private node: NodeRef | undefined;
  private conn = 0;
  private closed = false;
  private reconnecting: Promise<void> | undefined;

  constructor(
    readonly name: string,
    /** The nodes that are up now, to reconnect to. */
    private readonly liveNodes: () => NodeRef[],
  ) {}

  get nodeName(): string | undefined {
    return this.node?.name;
  }

  get connected(): boolean {
    return this.socket?.connected === true;
  }

  /** The known seq and statuses seen of a market. */
  state(marketId: string): { known: number; statuses: Set<string> } | undefined {
    const t = this.tracks.get(marketId);
    return t && { known: t.known, statuses: t.statuses };
  }

  private violation(msg: string): void {
    if (this.violations.length < 50) this.violations.push(`${this.name}: ${msg}`);
  }

  async connect(node: NodeRef): Promise<void> {
    const socket = await connectSocket(node.url);
    const conn = ++this.conn;
    this.socket = socket;
    this.node = node;
    socket.on('market:update', (u) => this.onUpdate(u, conn, node));
    socket.on('disconnect', () => {
      if (this.closed || this.conn !== conn) return;
      this.reconnecting ??= this.reconnect(node).finally(() => {
        this.reconnecting = undefined;
      });
    });
    for (const t of this.tracks.values()) t.seenOnConn = false;
    try {
      await Promise.all([...this.tracks.keys()].map((id) => this.subscribeOn(socket, conn, id)));
    } catch (err) {
      // Half set up: this connection is given up (a reconnect, if any, makes another).
      if (this.conn === conn) this.conn += 1;
      socket.close();
      throw err;
    }
  }

  /** Follows one more market on the current connection. */
  async follow(marketId: string): Promise<void> {
    if (this.tracks.has(marketId)) return;
    this.tracks.set(marketId, {
      known: -1,
      ackedOn: 0,
      early: [],
      last: undefined,
      seenOnConn: false,
      appliedSeqs: [],
      statuses: new Set(),
    });
    if (this.socket?.connected) await this.subscribeOn(this.socket, this.conn, marketId);
  }

  private async subscribeOn(socket: ClientSocket, conn: number, marketId: string) {
    const sent = Date.now();
    let snapshot: Awaited<ReturnType<typeof subscribe>> | undefined;
    // An error ack (the database busy or away for a moment) is tried again, as a client would.
    for (let attempt = 1; !snapshot; attempt++) {
      try {
        snapshot = await subscribe(socket, marketId, 20_000);
      } catch (err) {
        this.subscribeErrors.push(`${marketId} on ${this.node?.name}: ${(err as Error).message}`);
        if (attempt >= 5 || !socket.connected || this.conn !== conn) throw err;
        await sleep(500);
      }
    }
    const ms = Date.now() - sent;
    this.ackMs.push(ms);
    if (ms > 2000) this.slowAcks.push(`${marketId} on ${this.node?.name}: ${ms} ms`);
    const t = this.tracks.get(marketId)!;
    if (this.conn !== conn) return;
    // The snapshot is read from the database: it cannot be older than what was applied.
    if (snapshot.seq < t.known)
      this.violation(`${marketId}: snapshot seq ${snapshot.seq} is older than known ${t.known}`);
    t.known = Math.max(t.known, snapshot.seq);
    t.statuses.add(snapshot.status);
    t.ackedOn = conn;
    const early = t.early.filter((e) => e.conn === conn).sort((a, b) => a.u.seq - b.u.seq);
    t.early = [];
    for (const e of early) this.apply(t, e.u, conn);
  }

  private async reconnect(dead: NodeRef): Promise<void> {
    this.stats.reconnects += 1;
    const until = Date.now() + 30_000;
    while (!this.closed && Date.now() < until) {
      const others = this.liveNodes().filter((n) => n.url !== dead.url);
      const pool = others.length ? others : this.liveNodes();
      const next = pool[Math.floor(Math.random() * pool.length)];
      if (next) {
        try {
          await this.connect(next);
          return;
        } catch {
          // that node is going down too, or not up yet: try another
        }
      }
      await sleep(200);
    }
    if (!this.closed) this.violation(`could not reconnect after ${dead.name} went away`);
  }

  private onUpdate(u: MarketUpdate, conn: number, node: NodeRef): void {
    if (conn !== this.conn) return;
    const t = this.tracks.get(u.marketId);
    if (!t) return;
    this.stats.updates += 1;
    this.updatesByNode.set(node.name, (this.updatesByNode.get(node.name) ?? 0) + 1);
    const key = `${u.marketId}|${u.seq}`;
    const before = this.seen.get(key);
    if (before && JSON.stringify(before) !== JSON.stringify(u.probabilities))
      this.violation(`${key}: two updates of one seq with different probabilities`);
    this.seen.set(key, u.probabilities);
    // Within one connection, each update names the one before it (no silent loss, no
    // duplicate), or names one after it: the node itself missed a change (its events died with
    // a killed node before they were relayed) and says so, for the client to refetch.
    if (t.last?.conn === conn && ((u.prevSeq ?? u.seq - 1) < t.last.seq || u.seq <= t.last.seq))
      this.violation(
        `${u.marketId} on ${node.name}: update seq ${u.seq} prevSeq ${u.prevSeq} after seq ${t.last.seq} on the same connection`,
      );
    t.last = { seq: u.seq, conn };
    if (t.ackedOn !== conn) {
      this.stats.earlyUpdates += 1;
      t.early.push({ u, conn });
      return;
    }
    this.apply(t, u, conn);
  }

  /** The client's rule for one update of a subscribed market. */
  private apply(t: Track, u: MarketUpdate, conn: number): void {
    const first = !t.seenOnConn;
    t.seenOnConn = true;
    t.statuses.add(u.status);
    if (u.seq <= t.known) {
      if (first) this.stats.staleAtResubscribe += 1;
      else this.stats.staleInConnection += 1;
      return;
    }
    const prev = u.prevSeq ?? u.seq - 1;
    if (prev > t.known) {
      // Missed something: the client would refetch; the update carries the latest state.
      if (first) {
        this.stats.gapsAtResubscribe += 1;
        this.boundaryGaps.push(
          `${u.marketId} on ${this.node?.name} (connection ${conn}): known ${t.known}, update seq ${u.seq} prevSeq ${prev}`,
        );
      } else {
        // Signalled, not silent: the client refetches, as liveClient does.
        this.stats.gapsInConnection += 1;
      }
    }
    const lastApplied = t.appliedSeqs.at(-1);
    if (lastApplied !== undefined && u.seq <= lastApplied)
      this.violation(`${u.marketId}: applied seq ${u.seq} after ${lastApplied}`);
    t.appliedSeqs.push(u.seq);
    t.known = u.seq;
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }
}
