import { describe, expect, it } from 'vitest';
import { DomainError, httpStatusOf } from '../../shared/errors.ts';
import {
  isTradable,
  type LifecycleCommand,
  type MarketStatus,
  nextStatus,
} from '../../shared/lifecycle.ts';

const legal: [MarketStatus, LifecycleCommand, MarketStatus][] = [
  ['open', 'close', 'closed'],
  ['open', 'resolve', 'resolved'],
  ['closed', 'resolve', 'resolved'],
  ['open', 'cancel', 'cancelled'],
  ['closed', 'cancel', 'cancelled'],
  ['resolved', 'unresolve', 'closed'],
  ['cancelled', 'unresolve', 'closed'],
];

const illegal: [MarketStatus, LifecycleCommand, string][] = [
  ['closed', 'close', 'market_not_open'],
  ['resolved', 'close', 'market_not_open'],
  ['cancelled', 'close', 'market_not_open'],
  ['resolved', 'resolve', 'market_not_open'],
  ['cancelled', 'resolve', 'market_not_open'],
  ['resolved', 'cancel', 'market_not_open'],
  ['cancelled', 'cancel', 'market_not_open'],
  ['open', 'unresolve', 'conflict'],
  ['closed', 'unresolve', 'conflict'],
];

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('nextStatus', () => {
  it('covers every status and command pair exactly once', () => {
    const pairs = [...legal, ...illegal].map(([s, c]) => `${s}:${c}`);
    expect(new Set(pairs).size).toBe(16);
  });

  it.each(legal)('moves %s on %s to %s', (from, command, to) => {
    expect(nextStatus(from, command)).toBe(to);
  });

  it.each(illegal)('refuses %s on %s with %s', (from, command, code) => {
    const e = errorOf(() => nextStatus(from, command));
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    expect(httpStatusOf((e as DomainError).code)).toBe(409);
  });

  it('throws a plain Error, not a domain error, for a command that does not exist', () => {
    const e = errorOf(() => nextStatus('open', 'reopen' as LifecycleCommand));
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(DomainError);
  });
});

describe('isTradable', () => {
  const closesAt = '2026-06-01T12:00:00.000Z';

  it('accepts trades on an open market before its close time', () => {
    expect(isTradable('open', closesAt, new Date('2026-06-01T11:59:59.999Z'))).toBe(true);
  });

  it('refuses trades from the close time on, even while the status is still open', () => {
    expect(isTradable('open', closesAt, new Date(closesAt))).toBe(false);
    expect(isTradable('open', closesAt, new Date('2026-06-02T00:00:00Z'))).toBe(false);
  });

  it.each(['closed', 'resolved', 'cancelled'] as const)(
    'refuses trades on a %s market',
    (status) => {
      expect(isTradable(status, closesAt, new Date('2026-01-01T00:00:00Z'))).toBe(false);
    },
  );
});
