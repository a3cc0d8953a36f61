import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  describeDatabaseUrl,
  isConnectionError,
  isRetryable,
  MAX_ATTEMPTS,
  toStoreError,
  withRetries,
} from '../../../server/store/postgres/pgErrors.ts';
import { DomainError } from '../../../shared/errors.ts';

/** How PostgreSQL failures are classified (no database needed). */

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('PostgreSQL error mapping', () => {
  it('recognises a database that is not there or went away', () => {
    for (const e of [
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      withCode('ETIMEDOUT'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('08006'),
      withCode('53300', 'sorry, too many clients already'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      new AggregateError([withCode('ECONNREFUSED')], ''),
    ]) {
      expect(isConnectionError(e)).toBe(true);
      expect(toStoreError(e)).toMatchObject({ code: 'store_unavailable', retryAfterSeconds: 2 });
    }
    expect(isConnectionError(withCode('23505'))).toBe(false);
    expect(isConnectionError('ECONNREFUSED')).toBe(false);
  });

  it('retries serialisation failures and deadlocks, and passes other errors through', () => {
    expect(isRetryable(withCode('40001'))).toBe(true);
    expect(isRetryable(withCode('40P01'))).toBe(true);
    expect(isRetryable(withCode('23505'))).toBe(false);
    const unique = withCode('23505', 'duplicate key value violates unique constraint');
    expect(toStoreError(unique)).toBe(unique);
    const domain = new DomainError('conflict', 'taken');
    expect(toStoreError(domain)).toBe(domain);
    expect(toStoreError(withCode('57014'))).toMatchObject({ code: 'busy', retryAfterSeconds: 1 });
  });

  it('backs off with full jitter up to 80 ms', () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const cap = Math.min(80, 5 * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const ms = backoffMs(attempt);
        expect(ms).toBeGreaterThanOrEqual(0);
        expect(ms).toBeLessThanOrEqual(cap);
      }
    }
  });

  it('runs a deadlocked statement again, then answers busy', async () => {
    let runs = 0;
    expect(
      await withRetries(async () => {
        if (++runs < 3) throw withCode('40P01');
        return 'ok';
      }),
    ).toBe('ok');
    expect(runs).toBe(3);
    runs = 0;
    await expect(
      withRetries(async () => {
        runs++;
        throw withCode('40001');
      }),
    ).rejects.toMatchObject({ code: 'busy', message: 'the market is busy; try again' });
    expect(runs).toBe(MAX_ATTEMPTS);
  });

  it('hides passwords in database URLs', () => {
    expect(describeDatabaseUrl('postgres://parity:s3cret@db.internal:5432/parity')).toBe(
      'postgres://parity:***@db.internal:5432/parity',
    );
    expect(describeDatabaseUrl('postgres://db.internal/parity')).toBe(
      'postgres://db.internal/parity',
    );
    expect(describeDatabaseUrl('host=db user=parity password=s3cret dbname=parity')).toBe(
      'host=db user=parity password=*** dbname=parity',
    );
  });
});
