// `npm run test:load [-- --duration <seconds>]`: runs the load suite through vitest, passing the
// duration on as LOAD_DURATION_S (vitest itself refuses options it does not know).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { duration: { type: 'string' }, seed: { type: 'string' } },
});
const env = { ...process.env };
if (values.duration !== undefined) {
  const s = Number(values.duration);
  if (!Number.isFinite(s) || s <= 0) {
    console.error(`--duration must be a number of seconds, not ${values.duration}`);
    process.exit(2);
  }
  env.LOAD_DURATION_S = String(s);
}
if (values.seed !== undefined) env.LOAD_SEED = values.seed;
const r = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.load.config.ts'], {
  env,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
