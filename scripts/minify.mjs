// node scripts/minify.mjs <srcDir> <outDir>: the JS wrapper as shipped —
// each module minified on its own (no bundling, so the module graph, the
// literal `new URL('./rnn.wasm', import.meta.url)` asset references and
// the worker entry stay as they are for bundlers), comments dropped.
// One exception: a folder js/X/ holds the parts of js/X.js (one job per
// file for readers) and is inlined into dist/X.js, so the download stays
// one module (each file gzipped on its own costs bytes) and dist/ stays flat.
// Only X.js may import its parts; the build fails otherwise.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { build, transformSync } from 'esbuild';

const [src, out] = process.argv.slice(2);
const ESBUILD = { minify: true, format: 'esm', target: 'es2022', legalComments: 'none' };
const root = resolve(src);
const folders = readdirSync(src).filter((n) => statSync(join(src, n)).isDirectory());
for (const d of folders) {
  if (!existsSync(join(src, `${d}.js`))) throw new Error(`minify.mjs: ${src}/${d}/ has no ${d}.js to inline it into`);
}

// Bundles entry with the files of its folder; every other import stays an
// import, its path made relative to outDir (where the bundle lands).
async function inline(entry, folder) {
  const dir = resolve(src, folder) + sep;
  const plugin = {
    name: 'parts-only',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind === 'entry-point') return null;
        const abs = resolve(args.resolveDir, args.path);
        if (abs.startsWith(dir)) return null;
        return { path: `./${relative(root, abs).split(sep).join('/')}`, external: true };
      });
    },
  };
  const r = await build({ ...ESBUILD, entryPoints: [entry], bundle: true, write: false, plugins: [plugin] });
  return r.outputFiles[0].text;
}

let before = 0, after = 0;
for (const f of readdirSync(src).filter((n) => n.endsWith('.js'))) {
  const code = readFileSync(join(src, f), 'utf8');
  const folder = f.slice(0, -3);
  for (const d of folders) {
    if (d !== folder && new RegExp(`from '\\./${d}/`).test(code)) {
      throw new Error(`minify.mjs: ${f} imports from ${d}/, whose files only ${d}.js may import (dist/ inlines them into ${d}.js)`);
    }
  }
  let min = folders.includes(folder) ? await inline(join(src, f), folder) : transformSync(code, ESBUILD).code;
  // Dynamic imports of Node built-ins (taken only in Node) must stay opaque
  // to bundlers; minifying dropped their /* @vite-ignore */ markers.
  min = min.replace(/import\((?!["'`])/g, 'import(/* @vite-ignore */ /* webpackIgnore: true */ ');
  writeFileSync(join(out, f), min);
  before += code.length;
  after += min.length;
}
console.log(`minify.mjs: ${src}/*.js ${before} -> ${after} bytes`);
