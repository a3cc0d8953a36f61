// Builds the client with Vite when client/dist is missing or older than any client source.
// `tsx scripts/buildClient.ts [--force]` (npm run build) builds (always, with --force) and
// prints the gzipped size of what the markets page loads before it can render: the entry chunk,
// its static imports and the CSS that client/dist/index.html links. Exits 1 over the budget.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The markets page must not make people download more than this (gzipped) before it renders. */
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
  // Always React's production build: Vite follows a NODE_ENV already set, and vitest sets it to
  // "test", so a build started by the test setup would otherwise ship React's development code
  // to client/dist, which `npm start` then serves as up to date.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return true;
}

export interface InitialJs {
  files: { file: string; bytes: number; gzipBytes: number }[];
  bytes: number;
  gzipBytes: number;
}

const gzipSize = (data: Buffer) => gzipSync(data, { level: 9 }).length;

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
    return { file: p, bytes: data.length, gzipBytes: gzipSize(data) };
  });
  return {
    files,
    bytes: files.reduce((a, f) => a + f.bytes, 0),
    gzipBytes: files.reduce((a, f) => a + f.gzipBytes, 0),
  };
}

export interface InitialLoad {
  files: { file: string; kind: 'js' | 'css'; bytes: number; gzipBytes: number }[];
  jsGzipBytes: number;
  cssGzipBytes: number;
  /** JS and CSS together, gzipped: the figure held to the budget. */
  gzipBytes: number;
  bytes: number;
}

/**
 * The static imports of a built ES module: `import … from "./x.js"`, `import "./x.js"` and
 * `export … from "./x.js"`, as Rollup writes them. Dynamic `import("./x.js")` is left out:
 * those chunks load later, when a lazy page is visited.
 */
export function staticImports(code: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["']([^"']+\.js)["']/g;
  for (const m of code.matchAll(re)) out.push(m[1]!);
  return out;
}

/**
 * Everything the markets page needs before its first render, as client/dist/index.html asks for
 * it: the entry chunk, every chunk it imports statically (followed through the files themselves,
 * and any modulepreload the HTML names), and the stylesheets the HTML links. Sizes gzipped at
 * level 9.
 */
export function initialLoad(root = 'client'): InitialLoad {
  const dist = join(root, 'dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const local = (href: string) => href.replace(/^\//, '');
  const js = new Set<string>();
  const queue: string[] = [];
  const addJs = (p: string) => {
    if (!js.has(p)) {
      js.add(p);
      queue.push(p);
    }
  };
  for (const m of html.matchAll(/<script[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) {
    addJs(local(m[1]!));
  }
  for (const m of html.matchAll(/<link[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) {
    addJs(local(m[1]!));
  }
  while (queue.length) {
    const p = queue.shift()!;
    const code = readFileSync(join(dist, p), 'utf8');
    for (const spec of staticImports(code)) addJs(posix.join(posix.dirname(p), spec));
  }
  const css = [...html.matchAll(/<link[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/g)].map((m) =>
    local(m[1]!),
  );
  const files = [
    ...[...js].map((file) => ({ file, kind: 'js' as const })),
    ...css.map((file) => ({ file, kind: 'css' as const })),
  ].map((f) => {
    const data = readFileSync(join(dist, f.file));
    return { ...f, bytes: data.length, gzipBytes: gzipSize(data) };
  });
  const sum = (xs: typeof files, k: 'bytes' | 'gzipBytes') => xs.reduce((a, f) => a + f[k], 0);
  return {
    files,
    jsGzipBytes: sum(
      files.filter((f) => f.kind === 'js'),
      'gzipBytes',
    ),
    cssGzipBytes: sum(
      files.filter((f) => f.kind === 'css'),
      'gzipBytes',
    ),
    gzipBytes: sum(files, 'gzipBytes'),
    bytes: sum(files, 'bytes'),
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  const built = await buildClientIfStale('client', force);
  console.log(built ? 'Built the client into client/dist' : 'client/dist is up to date');
  const report = initialLoad('client');
  for (const f of report.files) {
    console.log(
      `  ${f.file.padEnd(36)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzipBytes).padStart(9)}`,
    );
  }
  const ok = report.gzipBytes <= INITIAL_JS_BUDGET_BYTES;
  console.log(
    `Initial JS for the markets page: ${kb(report.gzipBytes)} gzipped (JS ${kb(report.jsGzipBytes)} + CSS ${kb(report.cssGzipBytes)}; ${kb(report.bytes)} raw); budget ${kb(INITIAL_JS_BUDGET_BYTES)}: ${ok ? 'within' : 'OVER'}`,
  );
  if (!ok) process.exitCode = 1;
}
