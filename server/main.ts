import { createParity } from './app.ts';
import { loadConfig } from './config.ts';

const config = loadConfig();
const parity = await createParity({ config });
if (parity.generatedAdminPassword) {
  // Printed once: the first start made the admin without ADMIN_PASSWORD.
  console.log(
    `\n  Admin account created: username "${config.ADMIN_USERNAME}", password "${parity.generatedAdminPassword}"\n  (shown only now; set ADMIN_PASSWORD to choose it)\n`,
  );
}
const port = await parity.listen();
console.log(`Parity is serving on http://localhost:${port}`);
if (config.SIM) parity.simulation.set({ running: true }, 'system');

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void parity.close().then(() => process.exit(0));
  });
}
