import { Router } from 'express';
import { SimulationRequest, type SimulationResponse } from '../../shared/schemas/index.ts';
import type { Ctx } from '../services/context.ts';
import { requireAdmin } from './auth.ts';
import { jsonBody, parse } from './errors.ts';

/** What the HTTP layer needs from the live simulation. */
export interface SimulationControl {
  state(): SimulationResponse;
  set(req: SimulationRequest, actor: string): SimulationResponse;
}

export function adminRoutes(ctx: Ctx, sim: SimulationControl): Router {
  const r = Router();
  r.get('/admin/simulation', (_req, res) => {
    requireAdmin(res);
    res.json(sim.state());
  });
  r.post('/admin/simulation', (req, res) => {
    const admin = requireAdmin(res);
    const body = parse(SimulationRequest, jsonBody(req));
    const state = sim.set(body, admin.username);
    ctx.store.insertAudit({
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
