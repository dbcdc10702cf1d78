// node scripts/minify.mjs <srcDir> <outDir>: the JS wrapper as shipped.
// One esbuild bundle per entry — index.js, and each worker the wrapper starts
// with the literal `new URL('./X.js', import.meta.url)` form — with the code
// they share in content-hashed chunks beside them (esbuild code splitting),
// minified, comments dropped. Why bundle: every file a browser fetches is
// gzipped on its own, and 26 small modules cost ~10 KB more gzipped than the
// same code in a few files. dist/ stays flat, so the literal asset
// references (`new URL('./rnn.wasm', import.meta.url)`) and the worker entries
// resolve beside whichever file holds them, for bundlers too.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const [src, out] = process.argv.slice(2);

// The entries: index.js, and the workers the modules start by a literal URL.
const entries = new Set(['index.js']);
for (const f of readdirSync(src, { recursive: true }).filter((n) => n.endsWith('.js'))) {
  for (const m of readFileSync(join(src, f), 'utf8').matchAll(/new URL\('\.\/([\w-]+\.js)', import\.meta\.url\)/g)) entries.add(m[1]);
}

// A folder js/X/ holds the parts of js/X.js (one job per file): only X.js imports them.
for (const f of readdirSync(src).filter((n) => n.endsWith('.js'))) {
  for (const m of readFileSync(join(src, f), 'utf8').matchAll(/from '\.\/([\w-]+)\//g)) {
    if (`${m[1]}.js` !== f) throw new Error(`minify.mjs: ${f} imports from ${m[1]}/, whose files only ${m[1]}.js may import`);
  }
}

const result = await build({
  entryPoints: [...entries].map((e) => join(src, e)),
  outdir: out,
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

// Dynamic imports of Node built-ins (taken only in Node) must stay opaque
// to bundlers; minifying dropped their /* @vite-ignore */ markers.
let bytes = 0;
for (const file of Object.keys(result.metafile.outputs)) {
  const min = readFileSync(file, 'utf8').replace(/import\((?!["'`])/g, 'import(/* @vite-ignore */ /* webpackIgnore: true */ ');
  writeFileSync(file, min);
  bytes += min.length;
}
console.log(`minify.mjs: ${[...entries].join(', ')} -> ${Object.keys(result.metafile.outputs).length} files, ${bytes} bytes`);
