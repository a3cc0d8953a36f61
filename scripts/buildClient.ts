// Builds the client with Vite when client/dist is missing or older than any client source.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const p = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** Whether client/dist must be (re)built. */
export function clientIsStale(root = 'client'): boolean {
  const index = join(root, 'dist', 'index.html');
  if (!existsSync(index)) return true;
  const sources = Math.max(newestMtime(root), newestMtime('shared'));
  return sources > statSync(index).mtimeMs;
}

export async function buildClientIfStale(root = 'client'): Promise<boolean> {
  if (!clientIsStale(root)) return false;
  const { build } = await import('vite');
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  return true;
}
