import { existsSync } from 'node:fs';
import { buildClientIfStale } from '../scripts/buildClient.ts';

/** Browser tests need the built client; build it once per run when sources changed. */
export default async function setup(): Promise<void> {
  if (existsSync('client/index.html')) await buildClientIfStale();
}
