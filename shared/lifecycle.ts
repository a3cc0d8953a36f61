import { DomainError } from './errors.ts';

/** Market status (API.md). */
export type MarketStatus = 'open' | 'closed' | 'resolved' | 'cancelled';

/** Commands that move a market through its lifecycle. */
export type LifecycleCommand = 'close' | 'resolve' | 'cancel' | 'unresolve';

/**
 * The market lifecycle as a pure state machine:
 * open → closed → resolved; open|closed → cancelled; resolved|cancelled → closed (unresolve).
 * Returns the next status, or throws `market_not_open` / `conflict` for an illegal move.
 */
export function nextStatus(status: MarketStatus, command: LifecycleCommand): MarketStatus {
  switch (command) {
    case 'close':
      if (status === 'open') return 'closed';
      throw new DomainError('market_not_open', `cannot close a market that is ${status}`);
    case 'resolve':
      if (status === 'open' || status === 'closed') return 'resolved';
      throw new DomainError('market_not_open', `cannot resolve a market that is ${status}`);
    case 'cancel':
      if (status === 'open' || status === 'closed') return 'cancelled';
      throw new DomainError('market_not_open', `cannot cancel a market that is ${status}`);
    case 'unresolve':
      if (status === 'resolved' || status === 'cancelled') return 'closed';
      throw new DomainError('conflict', `cannot unresolve a market that is ${status}`);
    default: {
      const never: never = command;
      throw new Error(`unknown command ${String(never)}`);
    }
  }
}

/** Whether a market accepts trades and forecasts at `now` (open and before its close time). */
export function isTradable(status: MarketStatus, closesAt: string, now: Date): boolean {
  return status === 'open' && Date.parse(closesAt) > now.getTime();
}
