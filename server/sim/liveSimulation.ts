import { randomBytes } from 'node:crypto';
import seedrandom from 'seedrandom';
import { isDomainError } from '../../shared/errors.ts';
import { prices } from '../../shared/lmsr.ts';
import type {
  SimulationRequest,
  SimulationResponse,
  TradeRequest,
} from '../../shared/schemas/index.ts';
import type { SimulationControl } from '../http/adminRoutes.ts';
import { insertUserWithGrant } from '../services/accounts.ts';
import type { Ctx } from '../services/context.ts';
import { trade } from '../services/trading.ts';
import type { MarketRow, UserRow } from '../store/store.ts';

/** Live bots: simulated traders that trade the open markets through the same path as people. */
export function createLiveSimulation(ctx: Ctx): SimulationControl & { stop(): void } {
  let state: SimulationResponse = {
    running: false,
    seed: ctx.config.SIM_SEED,
    tradesPerMinute: ctx.config.SIM_TRADES_PER_MINUTE,
  };
  let timer: NodeJS.Timeout | undefined;
  let rng: seedrandom.PRNG = seedrandom(String(state.seed));

  const bots = (): UserRow[] => {
    const names = ['bot_noise_1', 'bot_noise_2', 'bot_noise_3'];
    return names.map((username) => {
      const existing = ctx.store.userByUsername(username);
      if (existing) return existing;
      insertUserWithGrant(ctx, {
        username,
        // Not an argon2 hash: no password can ever match it, and bots cannot log in.
        passwordHash: `!bot:${randomBytes(8).toString('hex')}`,
        role: 'trader',
        bot: true,
      });
      return ctx.store.userByUsername(username)!;
    });
  };

  const step = (users: UserRow[]) => {
    const open = ctx.store
      .markets('open')
      .filter((m) => Date.parse(m.closesAt) > ctx.now().getTime());
    if (!open.length) return;
    const m: MarketRow = open[Math.floor(rng() * open.length)]!;
    const user = users[Math.floor(rng() * users.length)]!;
    const p = prices(m.q, m.liquidity);
    const i = Math.floor(rng() * m.outcomes.length);
    const target = Math.min(0.97, Math.max(0.03, p[i]! + (rng() - 0.5) * 0.06));
    const req: TradeRequest = { outcomeId: m.outcomes[i]!.id, toProbability: target };
    try {
      trade(ctx, m.id, req, user);
    } catch (e) {
      if (!isDomainError(e)) ctx.log.error({ err: e }, 'simulation trade failed');
    }
  };

  const start = () => {
    stop();
    rng = seedrandom(String(state.seed));
    const users = bots();
    timer = setInterval(() => step(users), 60_000 / state.tradesPerMinute);
    timer.unref();
  };

  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };

  return {
    state: () => ({ ...state }),
    set: (req: SimulationRequest) => {
      state = {
        running: req.running,
        seed: req.seed ?? state.seed,
        tradesPerMinute: req.tradesPerMinute ?? state.tradesPerMinute,
      };
      if (state.running) start();
      else stop();
      return { ...state };
    },
    stop,
  };
}
