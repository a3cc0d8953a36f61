import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { initialLoad, staticImports } from '../../scripts/buildClient.ts';

describe('staticImports', () => {
  it('finds the static imports Rollup writes and leaves dynamic ones out', () => {
    const code =
      'import{a as b,c}from"./api-1.js";import"./side-2.js";export{x}from"./re-3.js";' +
      'const P=()=>import("./MarketPage-4.js");b(P);';
    expect(staticImports(code)).toEqual(['./api-1.js', './side-2.js', './re-3.js']);
  });

  it('reads imports on later lines after a statement without a semicolon', () => {
    expect(staticImports('const a=1\nimport*as R from"./react-5.js"\n')).toEqual(['./react-5.js']);
  });
});

describe('initialLoad', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts the entry, what it imports statically (transitively) and the linked CSS, gzipped', () => {
    dir = mkdtempSync(join(tmpdir(), 'parity-dist-'));
    const assets = join(dir, 'dist', 'assets');
    mkdirSync(assets, { recursive: true });
    const files: Record<string, string> = {
      'index-a.js': `import{r}from"./api-b.js";const L=()=>import("./Lazy-d.js");r(L);${'x'.repeat(500)}`,
      'api-b.js': `import"./vendor-c.js";export const r=()=>1;${'y'.repeat(300)}`,
      'vendor-c.js': `export const v=2;${'z'.repeat(200)}`,
      'Lazy-d.js': `export default 3;${'w'.repeat(5000)}`,
      'index-e.css': `body{color:red}${'.a{margin:0}'.repeat(40)}`,
      'Lazy-f.css': '.lazy{color:blue}',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(assets, name), text);
    writeFileSync(
      join(dir, 'dist', 'index.html'),
      '<html><head><script type="module" crossorigin src="/assets/index-a.js"></script>' +
        '<link rel="modulepreload" crossorigin href="/assets/api-b.js">' +
        '<link rel="stylesheet" crossorigin href="/assets/index-e.css"></head></html>',
    );
    const report = initialLoad(dir);
    expect(report.files.map((f) => f.file).sort()).toEqual([
      'assets/api-b.js',
      'assets/index-a.js',
      'assets/index-e.css',
      'assets/vendor-c.js',
    ]);
    // The same sizes taken file by file: the lazy page's JS and CSS are not in the sum.
    const gz = (name: string) => gzipSync(files[name]!, { level: 9 }).length;
    expect(report.jsGzipBytes).toBe(gz('index-a.js') + gz('api-b.js') + gz('vendor-c.js'));
    expect(report.cssGzipBytes).toBe(gz('index-e.css'));
    expect(report.gzipBytes).toBe(report.jsGzipBytes + report.cssGzipBytes);
    expect(report.bytes).toBe(
      ['index-a.js', 'api-b.js', 'vendor-c.js', 'index-e.css'].reduce(
        (a, n) => a + Buffer.byteLength(files[n]!),
        0,
      ),
    );
  });
});
