import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDomainError } from '../../shared/errors.ts';
import {
  type Persona,
  PersonaFile,
  type SeedMarket,
  type SimulationRequest,
  SimulationResponse,
} from '../../shared/schemas/index.ts';
import { type Agent, createAgents, speakersOf } from '../../shared/sim/agents.ts';
import { resolveParams } from '../../shared/sim/config.ts';
import { decide } from '../../shared/sim/decide.ts';
import { createRng, type Rng, shuffleInPlace } from '../../shared/sim/random.ts';
import type { SimulationControl } from '../http/adminRoutes.ts';
import { insertUserWithGrant } from '../services/accounts.ts';
import type { Ctx } from '../services/context.ts';
import { trade } from '../services/trading.ts';
import { userAccount } from '../services/views.ts';
import type { MarketRow, UserRow } from '../store/store.ts';

/** Noise and momentum traders added to each market's personas (no informed traders: live
 * markets have no known truth to inform them of). */
const NOISE_PER_MARKET = 4;
const MOMENTUM_PER_MARKET = 2;
/** Virtual steps over which a persona drifts from its claims towards the market. */
const LIVE_STEPS = 5000;
/** A speaker of an admin-made claim without a persona entry trades like this. */
const DEFAULT_PERSONA = { stubbornness: 0.6, budgetCents: 100_000 };

interface MarketBots {
  agents: Agent[];
  users: UserRow[];
  step: number;
}

function loadPersonas(dir: string): Persona[] {
  try {
    const parsed = PersonaFile.safeParse(
      JSON.parse(readFileSync(join(dir, 'personas.json'), 'utf8')),
    );
    return parsed.success ? parsed.data.personas : [];
  } catch {
    return [];
  }
}

/** A stored market as the simulator's seed shape. */
function asSeed(m: MarketRow): SeedMarket {
  return {
    id: m.id,
    question: m.question,
    description: m.description,
    criteria: m.criteria,
    tags: m.tags,
    type: m.type,
    outcomes: m.outcomes,
    liquidity: m.liquidity,
    closesAt: m.closesAt,
    claims: m.claims,
  };
}

function botUsername(label: string): string {
  const slug = label
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 27);
  return `bot_${slug || 'agent'}`;
}

/**
 * Live bots: the simulator's agents — the article's personas on each market they spoke about,
 * plus noise and momentum traders — trading the open markets in real time through the same
 * trade path as people (ledger, live updates, webhooks). Each bot is a real account marked as
 * a bot; its cash and holdings are read from the ledger before every decision.
 */
export function createLiveSimulation(
  ctx: Ctx,
  isLeader: () => boolean = () => true,
  seedsDir = 'seeds',
): SimulationControl & { stop(): void; load(): Promise<void> } {
  let state: SimulationResponse = {
    running: false,
    seed: ctx.config.SIM_SEED,
    tradesPerMinute: ctx.config.SIM_TRADES_PER_MINUTE,
  };
  let timer: NodeJS.Timeout | undefined;
  let rng: Rng = createRng(state.seed, 'live');
  const bots = new Map<string, MarketBots>();
  let personas: Persona[] | undefined;

  const botUser = async (label: string, grantCents: number): Promise<UserRow> => {
    let name = botUsername(label);
    for (let n = 2; ; n++) {
      const existing = await ctx.store.userByUsername(name);
      if (!existing) break;
      if (existing.bot) return existing;
      name = `${botUsername(label).slice(0, 28)}_${n}`;
    }
    try {
      await insertUserWithGrant(ctx, {
        username: name,
        // Not an argon2 hash: no password matches it, and login refuses bots anyway.
        passwordHash: `!bot:${randomBytes(8).toString('hex')}`,
        role: 'trader',
        bot: true,
        grantCents,
      });
    } catch (err) {
      // A leader before this one made the same bot a moment ago.
      if (!isDomainError(err) || err.code !== 'conflict') throw err;
    }
    return (await ctx.store.userByUsername(name))!;
  };

  const botsFor = async (m: MarketRow): Promise<MarketBots> => {
    const cached = bots.get(m.id);
    if (cached) return cached;
    personas ??= loadPersonas(seedsDir);
    const seed = asSeed(m);
    const speakers = speakersOf(seed);
    const known = speakers.map(
      (who) => personas!.find((p) => p.who === who) ?? { who, ...DEFAULT_PERSONA },
    );
    const agents = speakers.length + NOISE_PER_MARKET + MOMENTUM_PER_MARKET;
    const params = resolveParams({
      market: seed,
      personas: known,
      seed: state.seed,
      agents,
      steps: LIVE_STEPS,
      informedShare: 0,
      momentumShare: MOMENTUM_PER_MARKET / agents,
    });
    const list = createAgents({ params, truthIndex: 0 }, { market: seed, personas: known }, rng);
    const users: UserRow[] = [];
    for (const a of list) {
      users.push(
        await botUser(
          a.kind === 'persona' ? a.label : `${a.kind}_${a.id.split('-')[1]}`,
          a.budgetCents,
        ),
      );
    }
    const entry = { agents: list, users, step: 0 };
    bots.set(m.id, entry);
    return entry;
  };

  /** One tick: a random open market, its bots in shuffled order, the first order placed. */
  const tick = async () => {
    const now = ctx.now().getTime();
    // The bots trade the public site's markets; a space's markets are its members' alone.
    const open = (await ctx.store.markets('open')).filter(
      (m) => m.spaceId === null && Date.parse(m.closesAt) > now,
    );
    if (!open.length) return;
    const m = open[Math.floor(rng() * open.length)]!;
    const group = await botsFor(m);
    group.step += 1;
    const order = Array.from(group.agents, (_, i) => i);
    shuffleInPlace(order, rng);
    for (const i of order) {
      const agent = group.agents[i]!;
      const user = group.users[i]!;
      // The ledger is the truth: cash and holdings as stored, whatever else happened.
      agent.cashCents = Math.max(0, await ctx.store.balanceOf(userAccount(user.id)));
      const held = await ctx.store.positionsOfUserInMarket(user.id, m.id);
      agent.held = m.outcomes.map((o) => held.find((p) => p.outcomeId === o.id)?.shares ?? 0);
      const decision = decide(agent, { liquidity: m.liquidity, q: m.q }, { rng, step: group.step });
      if (!decision) continue;
      try {
        await trade(
          ctx,
          m.id,
          { outcomeId: m.outcomes[decision.outcomeIndex]!.id, shares: decision.shares },
          user,
        );
        return;
      } catch (e) {
        if (!isDomainError(e)) ctx.log.error({ err: e }, 'simulation trade failed');
      }
    }
  };

  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };

  const start = () => {
    stop();
    rng = createRng(state.seed, 'live');
    bots.clear();
    let busy = false;
    timer = setInterval(() => {
      // One tick at a time, on the leader alone: no bot trades twice across nodes.
      if (busy || !isLeader()) return;
      busy = true;
      tick()
        .catch((err) => ctx.log.error({ err }, 'simulation tick failed'))
        .finally(() => {
          busy = false;
        });
    }, 60_000 / state.tradesPerMinute);
    timer.unref();
  };

  /** Applies a state, from this node's admin or another node's (the cluster bus). */
  const apply = (next: SimulationResponse, changedPace: boolean) => {
    const reseed = next.seed !== state.seed;
    state = { ...next };
    if (!state.running) stop();
    else if (!timer || reseed || changedPace) start();
  };

  const off = ctx.bus.on((e) => {
    if (e.type === 'simulation.changed' && e.origin !== ctx.nodeId) {
      apply(e.state, e.state.tradesPerMinute !== state.tradesPerMinute);
    }
  });

  return {
    state: () => ({ ...state }),
    set: async (req: SimulationRequest) => {
      const next: SimulationResponse = {
        running: req.running,
        seed: req.seed ?? state.seed,
        tradesPerMinute: req.tradesPerMinute ?? state.tradesPerMinute,
      };
      // Stored, so a node that starts later (or a new leader) runs the same simulation.
      await ctx.store.setMeta('simulation', JSON.stringify(next));
      apply(next, req.tradesPerMinute !== undefined);
      ctx.bus.publish({ type: 'simulation.changed', state: { ...state }, origin: ctx.nodeId });
      return { ...state };
    },
    load: async () => {
      const saved = await ctx.store.getMeta('simulation');
      if (!saved) return;
      const parsed = SimulationResponse.safeParse(JSON.parse(saved));
      // Unchanged, it keeps running as it is (its random stream and bots untouched).
      if (!parsed.success || JSON.stringify(parsed.data) === JSON.stringify(state)) return;
      apply(parsed.data, parsed.data.tradesPerMinute !== state.tradesPerMinute);
    },
    stop: () => {
      off();
      stop();
    },
  };
}
