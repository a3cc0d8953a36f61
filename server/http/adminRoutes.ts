import { Router } from 'express';
import { SimulationRequest, type SimulationResponse } from '../../shared/schemas/index.ts';
import type { Ctx } from '../services/context.ts';
import { requireAdmin } from './auth.ts';
import { jsonBody, parse } from './errors.ts';

/** What the HTTP layer needs from the live simulation. */
export interface SimulationControl {
  state(): SimulationResponse;
  /** Changes the simulation on every node (stored, and announced over the bus). */
  set(req: SimulationRequest, actor: string): Promise<SimulationResponse>;
}

export function adminRoutes(ctx: Ctx, sim: SimulationControl): Router {
  const r = Router();
  r.get('/admin/simulation', (_req, res) => {
    requireAdmin(res);
    res.json(sim.state());
  });
  r.post('/admin/simulation', async (req, res) => {
    const admin = requireAdmin(res);
    const body = parse(SimulationRequest, jsonBody(req));
    const state = await sim.set(body, admin.username);
    await ctx.store.insertAudit({
      at: ctx.now().toISOString(),
      actor: admin.username,
      action: 'simulation.set',
      marketId: null,
      detail: state,
    });
    res.json(state);
  });
  return r;
}
