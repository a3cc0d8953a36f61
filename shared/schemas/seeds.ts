import { z } from 'zod';
import { IsoTime, MarketId } from './common.ts';
import { Claim } from './objects.ts';

/** A seed market as stored in `seeds/markets.json`, validated on load. */
export const SeedMarket = z
  .object({
    id: MarketId,
    question: z.string().min(5).max(300),
    description: z.string().max(10_000),
    criteria: z.string().max(5_000),
    tags: z.array(z.string().regex(/^[a-z0-9-]{1,30}$/)).max(10),
    type: z.enum(['binary', 'multiple']),
    /** Labels of a multiple-choice market, with ids; binary markets omit them. */
    outcomes: z
      .array(
        z
          .object({ id: z.string().regex(/^[a-z0-9_-]{1,40}$/), label: z.string().min(1).max(80) })
          .strict(),
      )
      .min(2)
      .max(20)
      .optional(),
    liquidity: z.number().positive(),
    closesAt: IsoTime,
    claims: z.array(Claim.strict()),
  })
  .strict();
export type SeedMarket = z.infer<typeof SeedMarket>;

export const SeedFile = z.object({ markets: z.array(SeedMarket).min(1) }).strict();
export type SeedFile = z.infer<typeof SeedFile>;

/** A persona from the article for the simulator: a quoted person and their stubbornness. */
export const Persona = z
  .object({
    who: z.string().min(1),
    /** 0..1: how strongly the persona holds to its claims against the market. */
    stubbornness: z.number().min(0).max(1),
    budgetCents: z.number().int().positive(),
  })
  .strict();
export type Persona = z.infer<typeof Persona>;
export const PersonaFile = z.object({ personas: z.array(Persona) }).strict();
export type PersonaFile = z.infer<typeof PersonaFile>;
