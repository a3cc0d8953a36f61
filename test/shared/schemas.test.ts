import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CreateMarketRequest,
  ForecastRequest,
  MarketId,
  ResolveRequest,
  TradeRequest,
} from '../../shared/schemas/index.ts';

const ok = (schema: { safeParse: (v: unknown) => { success: boolean } }, v: unknown) =>
  expect(schema.safeParse(v).success).toBe(true);
const bad = (schema: { safeParse: (v: unknown) => { success: boolean } }, v: unknown) =>
  expect(schema.safeParse(v).success).toBe(false);

describe('TradeRequest', () => {
  it('accepts each of the three forms on its own', () => {
    ok(TradeRequest, { outcomeId: 'yes', shares: 10 });
    ok(TradeRequest, { outcomeId: 'yes', shares: -2.5 });
    ok(TradeRequest, { outcomeId: 'no', amountCents: 500 });
    ok(TradeRequest, { outcomeId: 'yes', toProbability: 0.7 });
    ok(TradeRequest, {
      outcomeId: 'b-2',
      shares: 1,
      maxCostCents: 100,
      idempotencyKey: 'k-1',
    });
  });

  it('rejects no form, two forms and all three', () => {
    bad(TradeRequest, { outcomeId: 'yes' });
    bad(TradeRequest, { outcomeId: 'yes', shares: 1, amountCents: 100 });
    bad(TradeRequest, { outcomeId: 'yes', shares: 1, toProbability: 0.5 });
    bad(TradeRequest, { outcomeId: 'yes', amountCents: 100, toProbability: 0.5 });
    bad(TradeRequest, { outcomeId: 'yes', shares: 1, amountCents: 100, toProbability: 0.5 });
  });

  it('rejects zero, non-finite and out-of-range numbers', () => {
    for (const shares of [
      0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1e7 + 1,
      -1e7 - 1,
    ]) {
      bad(TradeRequest, { outcomeId: 'yes', shares });
    }
    for (const amountCents of [0, -5, 1.5, Number.NaN, 1e11 + 1]) {
      bad(TradeRequest, { outcomeId: 'yes', amountCents });
    }
    for (const toProbability of [0, 1, -0.1, 1.1, Number.NaN]) {
      bad(TradeRequest, { outcomeId: 'yes', toProbability });
    }
    bad(TradeRequest, { outcomeId: 'yes', shares: 1, maxCostCents: 1.5 });
    bad(TradeRequest, { outcomeId: 'yes', shares: '10' });
  });

  it('rejects unknown keys, bad outcome ids and bad idempotency keys', () => {
    bad(TradeRequest, { outcomeId: 'yes', shares: 1, price: 0.5 });
    bad(TradeRequest, { outcomeId: 'YES', shares: 1 });
    bad(TradeRequest, { outcomeId: '', shares: 1 });
    bad(TradeRequest, { outcomeId: 'yes', shares: 1, idempotencyKey: '' });
    bad(TradeRequest, { outcomeId: 'yes', shares: 1, idempotencyKey: 'x'.repeat(129) });
    bad(TradeRequest, null);
    bad(TradeRequest, [{ outcomeId: 'yes', shares: 1 }]);
  });

  it('accepts exactly the requests with one form, whatever else they carry', () => {
    fc.assert(
      fc.property(
        fc.option(
          fc.double({ min: -1e7, max: 1e7, noNaN: true }).filter((x) => x !== 0),
          { nil: undefined },
        ),
        fc.option(fc.integer({ min: 1, max: 1e11 }), { nil: undefined }),
        fc.option(fc.double({ min: 0.001, max: 0.999, noNaN: true }), { nil: undefined }),
        (shares, amountCents, toProbability) => {
          const forms = [shares, amountCents, toProbability].filter((x) => x !== undefined).length;
          const req = { outcomeId: 'yes', shares, amountCents, toProbability };
          for (const [k, v] of Object.entries(req))
            if (v === undefined) delete (req as Record<string, unknown>)[k];
          expect(TradeRequest.safeParse(req).success).toBe(forms === 1);
        },
      ),
    );
  });
});

describe('ForecastRequest', () => {
  it('accepts a binary probability or a vector that sums to 1 within 1e-6', () => {
    ok(ForecastRequest, { probability: 0.3 });
    ok(ForecastRequest, { probability: 0 });
    ok(ForecastRequest, { probabilities: [0.2, 0.3, 0.5] });
    ok(ForecastRequest, { probabilities: [0.2, 0.3, 0.5 + 9e-7] });
    ok(ForecastRequest, { probabilities: [0.1, 0.2, 0.7 - 9e-7], comment: '  because  ' });
  });

  it('rejects vectors off by more than 1e-6, and neither or both forms', () => {
    bad(ForecastRequest, { probabilities: [0.2, 0.3, 0.5 + 2e-6] });
    bad(ForecastRequest, { probabilities: [0.2, 0.3, 0.4] });
    bad(ForecastRequest, {});
    bad(ForecastRequest, { probability: 0.5, probabilities: [0.5, 0.5] });
  });

  it('rejects out-of-range values, wrong lengths, control characters and unknown keys', () => {
    bad(ForecastRequest, { probability: 1.2 });
    bad(ForecastRequest, { probability: Number.NaN });
    bad(ForecastRequest, { probabilities: [1] });
    bad(ForecastRequest, { probabilities: Array.from({ length: 21 }, () => 1 / 21) });
    bad(ForecastRequest, { probabilities: [1.5, -0.5] });
    bad(ForecastRequest, { probability: 0.5, comment: 'bell\u0007' });
    bad(ForecastRequest, { probability: 0.5, comment: 'x'.repeat(1001) });
    bad(ForecastRequest, { probability: 0.5, userId: 'u1' });
  });

  it('trims the comment', () => {
    const parsed = ForecastRequest.parse({ probability: 0.5, comment: '  because  ' });
    expect(parsed.comment).toBe('because');
  });
});

describe('CreateMarketRequest', () => {
  const base = { question: 'Will it happen?', closesAt: '2027-03-31T00:00:00Z' };

  it('makes a binary market by default and a multiple-choice one from outcomes', () => {
    ok(CreateMarketRequest, base);
    ok(CreateMarketRequest, { ...base, type: 'binary' });
    ok(CreateMarketRequest, { ...base, outcomes: ['A', 'B', 'C'] });
    ok(CreateMarketRequest, { ...base, type: 'multiple', outcomes: ['A', 'B'], liquidity: 250 });
  });

  it('rejects outcomes on a binary market and a multiple-choice market without them', () => {
    bad(CreateMarketRequest, { ...base, type: 'binary', outcomes: ['A', 'B'] });
    bad(CreateMarketRequest, { ...base, type: 'multiple' });
  });

  it('rejects 1 or 21 outcomes and labels that differ only in case', () => {
    bad(CreateMarketRequest, { ...base, outcomes: ['A'] });
    bad(CreateMarketRequest, { ...base, outcomes: Array.from({ length: 21 }, (_, k) => `o${k}`) });
    ok(CreateMarketRequest, { ...base, outcomes: Array.from({ length: 20 }, (_, k) => `o${k}`) });
    bad(CreateMarketRequest, { ...base, outcomes: ['Yes', 'yes'] });
  });

  it('rejects bad liquidity, times, ids, short questions and unknown keys', () => {
    bad(CreateMarketRequest, { ...base, liquidity: 0 });
    bad(CreateMarketRequest, { ...base, liquidity: 2e6 });
    bad(CreateMarketRequest, { ...base, closesAt: 'next tuesday' });
    bad(CreateMarketRequest, { ...base, id: 'Not A Slug' });
    bad(CreateMarketRequest, { ...base, question: 'Why' });
    bad(CreateMarketRequest, { ...base, status: 'open' });
  });
});

describe('ResolveRequest and ids', () => {
  it('accepts a resolution or a cancellation, not a mix', () => {
    ok(ResolveRequest, { outcomeId: 'yes', note: 'announced', knownAt: '2026-05-01T00:00:00Z' });
    ok(ResolveRequest, { cancel: true });
    bad(ResolveRequest, { cancel: false });
    bad(ResolveRequest, { outcomeId: 'yes', cancel: true });
    bad(ResolveRequest, {});
  });

  it('takes URL-safe slugs as market ids', () => {
    ok(MarketId, 'china-model-parity-q1-2027');
    ok(MarketId, 'a');
    bad(MarketId, '-leading-dash');
    bad(MarketId, 'trailing-');
    bad(MarketId, 'UPPER');
    bad(MarketId, 'a'.repeat(81));
  });
});
