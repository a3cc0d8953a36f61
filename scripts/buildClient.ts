// Builds the client with Vite when client/dist is missing or older than any client source.
// `tsx scripts/buildClient.ts [--force]` builds (always, with --force) and prints the gzipped
// size of the JavaScript the markets page loads before it can render.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The markets page must not make people download more than this before it renders. */
export const INITIAL_JS_BUDGET_BYTES = 250 * 1024;

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

export async function buildClientIfStale(root = 'client', force = false): Promise<boolean> {
  if (!force && !clientIsStale(root)) return false;
  const { build } = await import('vite');
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
  return true;
}

export interface InitialJs {
  files: { file: string; bytes: number; gzipBytes: number }[];
  bytes: number;
  gzipBytes: number;
}

/**
 * The JavaScript a first visit to `/` (the markets page) loads before rendering: the entry
 * script of client/dist/index.html and the chunks it preloads (its static imports). Lazy pages
 * are not counted: they load only when visited. Gzip at level 9, as servers and CDNs send it.
 */
export function initialJs(root = 'client'): InitialJs {
  const dist = join(root, 'dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const paths = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)) paths.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)) {
    paths.add(m[1]!);
  }
  const files = [...paths].map((p) => {
    const data = readFileSync(join(dist, p.replace(/^\//, '')));
    return { file: p, bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length };
  });
  return {
    files,
    bytes: files.reduce((a, f) => a + f.bytes, 0),
    gzipBytes: files.reduce((a, f) => a + f.gzipBytes, 0),
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  const built = await buildClientIfStale('client', force);
  console.log(built ? 'Built the client into client/dist' : 'client/dist is up to date');
  const report = initialJs('client');
  for (const f of report.files) {
    console.log(`  ${f.file.padEnd(40)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzipBytes)}`);
  }
  const ok = report.gzipBytes <= INITIAL_JS_BUDGET_BYTES;
  console.log(
    `Initial JS for the markets page: ${kb(report.gzipBytes)} gzipped (${kb(report.bytes)} raw); budget ${kb(INITIAL_JS_BUDGET_BYTES)}: ${ok ? 'within' : 'OVER'}`,
  );
  if (!ok) process.exitCode = 1;
}
