import { createParity } from './app.ts';
import { type Config, loadConfig } from './config.ts';
import { describeDatabaseUrl } from './store/postgres/pgErrors.ts';

/** Start-up failures a person can fix are one line and exit 1, with no stack trace. */
function fail(message: string): never {
  console.error(`parity: ${message}`);
  process.exit(1);
}

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  fail((err as Error).message);
}

let parity: Awaited<ReturnType<typeof createParity>>;
try {
  parity = await createParity({ config });
} catch (err) {
  const e = err as { code?: string; message?: string };
  if (config.DATABASE_URL && (e.code === 'store_unavailable' || e.code === 'ECONNREFUSED')) {
    fail(
      `cannot reach PostgreSQL at DATABASE_URL=${describeDatabaseUrl(config.DATABASE_URL)} (${e.message ?? 'no answer'})`,
    );
  }
  if (config.REDIS_URL && /redis/i.test(e.message ?? '')) {
    fail(`cannot reach Redis at REDIS_URL=${describeDatabaseUrl(config.REDIS_URL)} (${e.message})`);
  }
  throw err;
}
if (parity.generatedAdminPassword) {
  // Printed once: the first start made the admin without ADMIN_PASSWORD.
  console.log(
    `\n  Admin account created: username "${config.ADMIN_USERNAME}", password "${parity.generatedAdminPassword}"\n  (shown only now; set ADMIN_PASSWORD to choose it)\n`,
  );
}
const port = await parity.listen();
console.log(`Parity is serving on http://localhost:${port}`);
if (config.SIM) await parity.simulation.set({ running: true }, 'system');

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void parity.close().then(() => process.exit(0));
  });
}
