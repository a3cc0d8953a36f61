import { DomainError } from '../../../shared/errors.ts';

/**
 * How PostgreSQL failures reach the server: contention as `busy`, a database that cannot be
 * reached as `store_unavailable` (both 503 with Retry-After), everything else unchanged — a
 * unique violation, say, is the caller's to handle.
 */

/** Node's socket errors that mean the database is not there (or stopped answering). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs of a server going away or refusing sessions: admin / crash shutdown, starting up,
 * too many connections, a session killed for idling in a transaction. Class 08 (connection
 * exceptions) is matched by prefix.
 */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03', '53300', '25P03']);

/** What pg and pg-pool throw when a socket dies or never opens (they carry no code). */
const GONE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Connection refused/i;

/** Serialisation failures and deadlocks: the whole transaction may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);

/** A statement cancelled by statement_timeout, a lock not granted: contention, not a bug. */
const CONTENTION = new Set(['57014', '55P03']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `err` means the database cannot be reached (or the connection was lost). */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // Node reports a failed connect to every address of a name as one AggregateError.
  if (err instanceof AggregateError && err.errors.some(isConnectionError)) return true;
  const code = codeOf(err);
  if (code && (SOCKET_CODES.has(code) || SERVER_GONE.has(code) || code.startsWith('08'))) {
    return true;
  }
  return GONE_MESSAGE.test(err.message);
}

/** True for errors after which running the transaction again may succeed. */
export function isRetryable(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && RETRYABLE.has(code);
}

/** Too much contention on the same rows right now. */
export function busyError(): DomainError {
  return new DomainError('busy', 'the market is busy; try again', undefined, 1);
}

/** The database cannot be reached right now. */
export function unavailableError(): DomainError {
  return new DomainError(
    'store_unavailable',
    'the database is unavailable; try again shortly',
    undefined,
    2,
  );
}

/** Text PostgreSQL cannot store: a NUL character (SQLite would keep it). */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/** The error a caller of the store sees for `err`. */
export function toStoreError(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  if (isConnectionError(err)) return unavailableError();
  const code = codeOf(err);
  if (code && UNSTORABLE_TEXT.has(code)) {
    return new DomainError('validation_failed', 'text must not contain NUL characters');
  }
  if (code && (CONTENTION.has(code) || RETRYABLE.has(code))) return busyError();
  return err;
}

/** Up to this many runs of one transaction (or autocommit statement) before `busy`. */
export const MAX_ATTEMPTS = 5;

/** Exponential backoff with full jitter: a random wait up to 5, 10, 20, 40, 80 ms. */
export function backoffMs(attempt: number): number {
  return Math.random() * Math.min(80, 5 * 2 ** (attempt - 1));
}

/** Runs `op`, again after a backoff when it fails retryably; maps what it finally throws. */
export async function withRetries<T>(op: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (isRetryable(err) && attempt < MAX_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, backoffMs(attempt)));
        continue;
      }
      throw toStoreError(err);
    }
  }
}

/** `url` with its password (if any) replaced by `***`: safe for a log line. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // A libpq key=value string rather than a URL.
    return url.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, '$1***');
  }
}
