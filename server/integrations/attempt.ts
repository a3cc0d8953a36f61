import type { LiveMessageRow } from '../store/integrationsStore.ts';

/** What one delivery attempt aims at and what it got back: shared by planning and sending. */

export interface LiveTarget {
  /** The message to edit, or null to post a new one. */
  message: LiveMessageRow | null;
  /** Slack: the channel to post to. */
  channel: string | null;
}

/** The answer to one attempt, classified. */
export type Answer =
  | { ok: true; httpStatus: number; messageId?: string; channel?: string }
  | {
      ok: false;
      error: string;
      httpStatus: number | null;
      /** No point retrying (a 4xx, a refused address, a revoked token). */
      permanent: boolean;
      /** The destination asked us to wait this long (429 Retry-After). */
      retryAfterMs?: number;
      /** The live message to edit is gone: post a new one. */
      messageGone?: boolean;
    };
