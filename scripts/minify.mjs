// node scripts/minify.mjs <srcDir> <outDir>: the JS wrapper as shipped —
// each module minified on its own (no bundling, so the module graph, the
// literal `new URL('./rnn.wasm', import.meta.url)` asset references and
// the worker entry stay as they are for bundlers), comments dropped.
// Subfolders (js/data/, js/seq2seq/) keep their place under outDir.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transformSync } from 'esbuild';

const [src, out] = process.argv.slice(2);
let before = 0, after = 0;
for (const f of readdirSync(src, { recursive: true }).filter((n) => n.endsWith('.js')).sort()) {
  const code = readFileSync(join(src, f), 'utf8');
  let { code: min } = transformSync(code, { minify: true, format: 'esm', target: 'es2022', legalComments: 'none' });
  // Dynamic imports of Node built-ins (taken only in Node) must stay opaque
  // to bundlers; minifying dropped their /* @vite-ignore */ markers.
  min = min.replace(/import\((?!["'`])/g, 'import(/* @vite-ignore */ /* webpackIgnore: true */ ');
  mkdirSync(dirname(join(out, f)), { recursive: true });
  writeFileSync(join(out, f), min);
  before += code.length;
  after += min.length;
}
console.log(`minify.mjs: ${src}/**/*.js ${before} -> ${after} bytes`);
