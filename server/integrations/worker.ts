import type { DeliveryRow } from '../store/integrationsStore.ts';
import type { ChannelCtx } from './channelCtx.ts';
import { scanClosing } from './closingScheduler.ts';
import { type Answer, commit, type Plan, plan } from './deliver.ts';
import { networkFailure, readAnswer } from './requests.ts';
import { safeRequest } from './safeRequest.ts';

/** Requests in flight at once, across webhooks (each webhook has at most one). */
const MAX_IN_FLIGHT = 8;
const PRUNE_EVERY_MS = 3_600_000;
/** Finished deliveries stay visible in the admin console this long. */
const RETAIN_MS = 14 * 86_400_000;

export interface DeliveryWorker {
  /** Looks for due work now (after a commit that may have queued some). */
  kick(): void;
  /** Stops polling and waits for the requests in flight to be answered and recorded. */
  stop(): Promise<void>;
}

/**
 * Delivers the outbox: polls for due rows, sends each webhook's rows one at a time, and records
 * every answer in the database as soon as it arrives, so a restart resends only what was never
 * acknowledged. Also runs the closing-notice scan on each poll.
 */
export function startWorker(c: ChannelCtx): DeliveryWorker {
  const log = c.ctx.log;
  const inFlight = new Map<number, Promise<void>>();
  const busy = new Set<string>();
  /** Webhooks a 429 asked us to leave alone until then (ms since the epoch). */
  const blockedUntil = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let kicked = false;
  let stopped = false;
  let lastPrune = 0;

  async function send(row: DeliveryRow, p: Extract<Plan, { kind: 'send' }>): Promise<void> {
    let answer: Answer;
    try {
      const res = await safeRequest(p.request);
      answer = readAnswer(res, p.api, p.live?.message != null, c.ctx.now());
    } catch (err) {
      answer = networkFailure(err);
    }
    const now = c.ctx.now();
    if (!answer.ok) {
      if (answer.retryAfterMs !== undefined) {
        blockedUntil.set(row.webhookId, now.getTime() + answer.retryAfterMs);
      }
      log.warn(
        {
          webhookId: row.webhookId,
          delivery: row.id,
          attempt: row.attempts + 1,
          error: answer.error,
        },
        'webhook delivery failed',
      );
    }
    try {
      commit(c, row, p, answer, now);
    } catch (err) {
      // The store may be closing under a shutdown; the row stays open and is retried.
      log.error({ err, delivery: row.id }, 'recording a webhook delivery failed');
    }
  }

  function start(row: DeliveryRow, now: Date): void {
    const at = now.toISOString();
    let p: Plan;
    try {
      p = plan(c, row, now);
    } catch (err) {
      // A bug, not the destination's fault: give the row up rather than let it block the queue.
      log.error({ err, delivery: row.id }, 'planning a webhook delivery failed');
      c.store.recordAttempt(row.id, {
        status: 'failed',
        at,
        error: 'internal error',
        httpStatus: null,
      });
      return;
    }
    switch (p.kind) {
      case 'skip':
        c.store.skip(row.id, p.reason, at);
        return;
      case 'wait':
        c.store.postpone(row.id, p.until, at);
        return;
      case 'fail':
        log.warn(
          { webhookId: row.webhookId, delivery: row.id, error: p.reason },
          'webhook delivery impossible',
        );
        c.store.recordAttempt(row.id, { status: 'failed', at, error: p.reason, httpStatus: null });
        return;
      case 'send': {
        busy.add(row.webhookId);
        const done = send(row, p).finally(() => {
          inFlight.delete(row.id);
          busy.delete(row.webhookId);
          kick();
        });
        inFlight.set(row.id, done);
        return;
      }
      default:
        p satisfies never;
    }
  }

  function tick(fromTimer: boolean): void {
    kicked = false;
    if (stopped) return;
    const now = c.ctx.now();
    try {
      if (fromTimer) {
        scanClosing(c);
        if (now.getTime() - lastPrune > PRUNE_EVERY_MS) {
          lastPrune = now.getTime();
          c.store.pruneDeliveries(new Date(now.getTime() - RETAIN_MS).toISOString());
        }
      }
      for (const row of c.store.dueDeliveries(now.toISOString(), 100)) {
        if (inFlight.size >= MAX_IN_FLIGHT) break;
        if (inFlight.has(row.id) || busy.has(row.webhookId)) continue;
        if ((blockedUntil.get(row.webhookId) ?? 0) > now.getTime()) continue;
        start(row, now);
      }
    } catch (err) {
      log.error({ err }, 'the webhook worker failed a round');
    }
    arm(now);
  }

  function arm(now: Date): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    const next = c.store.nextDueAt();
    const untilNext =
      next === undefined ? Number.POSITIVE_INFINITY : Date.parse(next) - now.getTime();
    // Rows due now but held back (busy webhook, 429) are picked up when the blocker finishes.
    const delay = untilNext > 0 ? Math.min(untilNext, c.settings.pollMs) : c.settings.pollMs;
    timer = setTimeout(() => tick(true), delay);
    timer.unref();
  }

  function kick(): void {
    if (kicked || stopped) return;
    kicked = true;
    setImmediate(() => tick(false));
  }

  const off = c.ctx.bus.on(() => {
    if (c.webhooks.list().length > 0) kick();
  });
  // The first round runs once start-up is done (links need the listening port).
  timer = setTimeout(() => tick(true), 0);
  timer.unref();

  return {
    kick,
    stop: async () => {
      stopped = true;
      off();
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
