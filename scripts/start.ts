// `npm start`: build the client if its sources changed, then run the server.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { buildClientIfStale } from './buildClient.ts';

if (existsSync('client/index.html') && (await buildClientIfStale())) {
  console.log('Built the client into client/dist');
}
const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  stdio: 'inherit',
  env: { SIM: 'on', ...process.env },
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
