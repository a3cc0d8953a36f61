import { describe, expect, it } from 'vitest';
import { UpdateCoalescer } from '../../../server/realtime/coalescer.ts';
import type { Market } from '../../../shared/schemas/index.ts';
import type { MarketUpdate } from '../../../shared/schemas/socket.ts';

/** A market at `seq` with P(yes) = p (only what an update reads). */
function at(seq: number, p = 0.5): Market {
  return {
    id: 'm',
    seq,
    status: 'open',
    volumeCents: seq * 100,
    outcomes: [
      { id: 'yes', label: 'Yes', probability: p, shares: 0 },
      { id: 'no', label: 'No', probability: 1 - p, shares: 0 },
    ],
  } as unknown as Market;
}

describe('UpdateCoalescer', () => {
  it('chains updates by prevSeq, skipping coalesced seqs without a gap', () => {
    let now = 1000;
    const sent: MarketUpdate[] = [];
    const c = new UpdateCoalescer(
      (u) => sent.push(u),
      50,
      () => now,
    );
    c.push(at(1));
    // Within the interval: held, and only the latest goes out.
    c.push(at(2));
    c.push(at(3, 0.6));
    now = 1060;
    c.close();
    expect(sent.map((u) => [u.seq, u.prevSeq])).toEqual([
      [1, 0],
      [3, 1],
    ]);
    expect(sent[1]!.probabilities).toEqual([0.6, 0.4]);
  });

  it('waits a moment for a seq that arrives late, and keeps the chain whole', async () => {
    const sent: MarketUpdate[] = [];
    const c = new UpdateCoalescer((u) => sent.push(u), 10);
    c.push(at(1));
    c.push(at(3));
    await new Promise((r) => setTimeout(r, 30));
    c.push(at(2));
    await new Promise((r) => setTimeout(r, 30));
    c.close();
    expect(sent.map((u) => [u.seq, u.prevSeq])).toEqual([
      [1, 0],
      [3, 1],
    ]);
  });

  it('names a prevSeq no client holds after a seq it never heard, so clients refetch', async () => {
    const sent: MarketUpdate[] = [];
    const c = new UpdateCoalescer((u) => sent.push(u), 10);
    c.push(at(5));
    // Seq 6 was lost on its way to this node.
    c.push(at(7));
    await new Promise((r) => setTimeout(r, 400));
    c.push(at(8));
    await new Promise((r) => setTimeout(r, 30));
    // Late or repeated: ignored.
    c.push(at(6));
    c.push(at(8));
    c.close();
    expect(sent.map((u) => [u.seq, u.prevSeq])).toEqual([
      [5, 4],
      [7, 6],
      [8, 7],
    ]);
  });
});
