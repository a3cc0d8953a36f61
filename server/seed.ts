import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDomainError } from '../shared/errors.ts';
import { SeedFile } from '../shared/schemas/index.ts';
import type { Ctx } from './services/context.ts';
import { createMarket } from './services/markets.ts';

/** Reads and validates `seeds/markets.json`; a bad file is a clear error at start. */
export function loadSeedFile(dir = 'seeds'): SeedFile {
  const raw: unknown = JSON.parse(readFileSync(join(dir, 'markets.json'), 'utf8'));
  const parsed = SeedFile.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`seeds/markets.json is invalid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/**
 * Inserts the seed markets on the first start of an empty database, never twice. Nodes that
 * start together may race: a market another node created first is a conflict, and skipped.
 */
export async function seedOnce(ctx: Ctx, dir = 'seeds'): Promise<number> {
  if (await ctx.store.getMeta('seeded_at')) return 0;
  const file = loadSeedFile(dir);
  let created = 0;
  for (const s of file.markets) {
    if (await ctx.store.market(s.id)) continue;
    try {
      await createMarket(ctx, 'seed', {
        id: s.id,
        question: s.question,
        description: s.description,
        criteria: s.criteria,
        tags: s.tags,
        type: s.type,
        outcomes: s.outcomes ?? [
          { id: 'yes', label: 'Yes' },
          { id: 'no', label: 'No' },
        ],
        spaceId: null,
        liquidity: s.liquidity,
        closesAt: new Date(s.closesAt).toISOString(),
        claims: s.claims,
      });
      created += 1;
    } catch (err) {
      if (!isDomainError(err) || err.code !== 'conflict') throw err;
    }
  }
  await ctx.store.setMeta('seeded_at', ctx.now().toISOString());
  return created;
}
