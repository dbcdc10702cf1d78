#!/usr/bin/env node
// build-site.mjs - the course page (web/) as a production static site, for
// any static host: GitHub Pages, Netlify, S3, nginx, `python3 -m http.server`.
//
//   ./build.sh dist && node scripts/build-site.mjs [out-dir]   (default build/site/)
//   npm run build:site                                          (the same, with the build)
//   node scripts/measure-site.mjs                              (how fast it loads)
//
// What it does, with nothing to edit when the page grows:
//   - JS: bundles web/js/main.js's import graph with esbuild (minified, ES
//     modules; each dynamic import() becomes a chunk loaded when asked for);
//   - every `new URL('<literal>', import.meta.url)` in a bundled module (the
//     engine's .wasm, workers) and every `here('<literal>')` in web/js/paths.js
//     (datasets, weights, npm files loaded on demand) is copied into the site
//     under a content-hashed name and the literal rewritten; .js targets are
//     bundled (workers, on their own), .css targets bundled with their fonts;
//   - CSS: the page's stylesheets and KaTeX's, bundled, minified, with fonts;
//   - math: every [data-tex] element of index.html is typeset by KaTeX here,
//     and so is every TeX literal of the page's modules (web/js/math-prerendered.js),
//     so the reader's browser needs KaTeX's CSS and fonts but not its JS;
//   - names: web/assets/<name>-<HASH>.<ext> (cache them forever); only
//     web/index.html keeps its name.
// Layout of the output:
//   index.html     -> redirects to web/
//   web/           index.html, assets/ (everything it loads, hashed) and the
//                  other files of web/ (images, ...) at their own paths
//   licenses/      the licences and sources of the npm packages and datasets shipped
//   .nojekyll      so GitHub Pages serves every file as is
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import katex from 'katex';
import subsetFont from 'subset-font';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = join(ROOT, 'web');
const OUT = resolve(process.argv[2] ?? join(ROOT, 'build', 'site'));
const ASSETS = join(OUT, 'web', 'assets');
const TARGET = ['es2022', 'chrome100', 'firefox100', 'safari15'];

function fail(msg) {
  console.error(`build-site: ${msg}`);
  process.exit(1);
}

const rel = (p) => relative(ROOT, p).split(sep).join('/');

// ---- TeX -----------------------------------------------------------------
const KATEX_OPTIONS = { throwOnError: true, output: 'htmlAndMathml', strict: 'ignore' };
function typeset(source, displayMode, where) {
  try {
    return katex.renderToString(source, { ...KATEX_OPTIONS, displayMode });
  } catch (e) {
    fail(`${where}: cannot typeset ${JSON.stringify(source)}: ${e.message}`);
  }
}

const STRING = String.raw`('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|\x60[^\x60$\\]*(?:\\.[^\x60$\\]*)*\x60)`;
const literalValue = (lit) => (lit[0] === '`' ? lit.slice(1, -1).replace(/\\(.)/g, '$1') : JSON.parse(lit[0] === '"' ? lit : `"${lit.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`));

// The TeX literals of the page's modules: `tex: '...'` (in the styles of the
// module's tex() calls) and `tex(element, '...'[, false])`.
async function prerenderedModule() {
  const table = {};
  const files = (await walk(WEB)).filter((f) => f.endsWith('.js'));
  for (const file of files) {
    const text = (await readFile(file, 'utf8')).replace(/^\s*(\/\/|\*|\/\*).*$/gm, ''); // not the comments
    const where = rel(file);
    // The styles this module's tex(element, <not a literal>[, display]) calls ask for; both if none.
    const styles = new Set([...text.matchAll(/\btex\(\s*[^,()]+,\s*(?!['"\x60])[^,()]+(?:,\s*(true|false))?\s*\)/g)].map((m) => m[1] !== 'false'));
    if (!styles.size) styles.add(true).add(false);
    for (const m of text.matchAll(new RegExp(String.raw`\btex\s*:\s*${STRING}`, 'g'))) {
      const source = literalValue(m[1]);
      for (const display of styles) table[`${display ? 'display' : 'inline'}:${source}`] = typeset(source, display, where);
    }
    for (const m of text.matchAll(new RegExp(String.raw`\btex\(\s*[^,()]+,\s*${STRING}\s*(,\s*(true|false)\s*)?\)`, 'g'))) {
      const source = literalValue(m[1]);
      const display = m[3] !== 'false';
      table[`${display ? 'display' : 'inline'}:${source}`] = typeset(source, display, where);
    }
  }
  return { contents: `export const PRERENDERED = ${JSON.stringify(table)};\n`, count: Object.keys(table).length };
}

const decodeEntities = (s) => s.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" })[e]);

// <tag ... data-tex="..." ...>fallback</tag> -> typeset, marked rendered.
function typesetHtml(html) {
  let count = 0;
  const out = html.replace(/<(\w+)(\s[^>]*?\bdata-tex="([^"]*)"[^>]*)>([\s\S]*?)<\/\1>/g, (all, tag, attrs, tex, inner) => {
    if (/\bdata-rendered\b/.test(attrs)) return all;
    if (new RegExp(`<${tag}\\b`).test(inner)) fail(`web/index.html: a <${tag} data-tex> holds another <${tag}>; keep its fallback plain text`);
    count++;
    const display = !/\bdata-display="inline"/.test(attrs);
    return `<${tag}${attrs} data-rendered="true">${typeset(decodeEntities(tex), display, 'web/index.html')}</${tag}>`;
  });
  return { html: out, count };
}

// ---- hashed files ----------------------------------------------------------
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function hash8(bytes) {
  const h = createHash('sha256').update(bytes).digest();
  let bits = 0, value = 0, out = '';
  for (const b of h) {
    value = (value << 8) | b; bits += 8;
    while (bits >= 5 && out.length < 8) { out += BASE32[(value >>> (bits - 5)) & 31]; bits -= 5; }
    if (out.length === 8) break;
  }
  return out;
}

const assets = new Map(); // absolute source path -> Promise of its name in web/assets/
const sources = new Set(); // every file the site was made from (for licences)
/**
 * The site's name for file (absolute): bundled if .js / .css, else copied.
 * chain: the files whose bundles wait for this one (a cycle is refused: a
 * content hash cannot name a file that names it).
 */
function asset(file, from, chain) {
  if (!existsSync(file)) fail(`${from} refers to ${rel(file)}, which does not exist`);
  if (chain.includes(file)) fail(`a cycle of new URL() references: ${[...chain, file].map(rel).join(' -> ')}`);
  if (!assets.has(file)) {
    sources.add(file);
    const ext = extname(file);
    assets.set(file, /^\.(m?js|css)$/.test(ext) ? bundleAlone(file, chain) : copyHashed(file));
  }
  return assets.get(file);
}

async function copyHashed(file) {
  const bytes = await readFile(file);
  const ext = extname(file);
  const name = `${basename(file, ext)}-${hash8(bytes)}${ext}`;
  await writeFile(join(ASSETS, name), bytes);
  return name;
}

// One .js (a worker, a library loaded on demand) or .css file, bundled into
// a single file of its own.
async function bundleAlone(file, chain) {
  const result = await esbuild.build({ ...COMMON, entryPoints: [file], plugins: [woff2Only, urlsPlugin([...chain, file])] });
  return outputOf(result, file);
}

function outputOf(result, entry) {
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint && resolve(ROOT, meta.entryPoint) === entry) return basename(out);
  }
  fail(`esbuild wrote no output for ${rel(entry)}`);
}

function noteInputs(result) {
  for (const input of Object.keys(result.metafile.inputs)) if (!input.includes(':')) sources.add(resolve(ROOT, input));
}

// ---- the page's text font, cut to what the page shows ---------------------------
// The page's own font files (from @fontsource packages; KaTeX's are small
// already) keep the glyphs of Latin-1, general punctuation and every
// character of index.html and the page's modules, and, for a variable font,
// only the weights the stylesheets use. A character outside falls back to the
// system font, glyph by glyph.
async function fontSubsetter() {
  const chars = new Set();
  const add = (text) => { for (const c of text) chars.add(c); };
  for (let c = 0x20; c <= 0xff; c++) if (c < 0x7f || c >= 0xa0) chars.add(String.fromCodePoint(c));
  for (let c = 0x2010; c <= 0x2027; c++) chars.add(String.fromCodePoint(c));
  const files = await walk(WEB);
  for (const f of files) if (/\.(html|js)$/.test(f)) add((await readFile(f, 'utf8')).replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16))));
  const weights = [];
  for (const f of files.filter((x) => x.endsWith('.css'))) {
    const css = (await readFile(f, 'utf8')).replace(/@font-face\s*{[^}]*}/g, '');
    for (const m of css.matchAll(/font(?:-weight)?\s*:\s*(\d{3})\b/g)) weights.push(Number(m[1]));
    if (/<strong|<b\b|<h\d/.test(await readFile(join(WEB, 'index.html'), 'utf8'))) weights.push(700);
  }
  const text = [...chars].join('');
  const wght = weights.length ? { min: Math.min(400, ...weights), max: Math.max(...weights) } : null;
  return {
    name: 'site-fonts',
    setup(build) {
      build.onLoad({ filter: /[\\/]@fontsource[^\\/]*[\\/].*\.woff2$/ }, async ({ path }) => {
        const font = await readFile(path);
        const variable = /-wght-|-variable/.test(basename(path));
        const contents = await subsetFont(font, text, { targetFormat: 'woff2', ...(variable && wght ? { variationAxes: { wght } } : {}) });
        fontReport.push(`${basename(path)} ${font.length} -> ${contents.length} bytes${variable && wght ? ` (weights ${wght.min}-${wght.max})` : ''}`);
        return { contents, loader: 'file' };
      });
    },
  };
}
const fontReport = [];

// Every browser the site targets reads woff2: an @font-face that has one
// loses its .woff / .ttf fallbacks (fewer bytes of CSS, fewer files).
const woff2Only = {
  name: 'site-woff2-only',
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async ({ path }) => ({
      contents: (await readFile(path, 'utf8')).replace(/@font-face\s*{[^}]*}/g, (face) => (face.includes('.woff2')
        ? face.replace(/,\s*url\([^)]*\.(?:woff|ttf)\)\s*format\(["'](?:woff|truetype)["']\)/g, '') : face)),
      loader: 'css',
    }));
  },
};

// ---- esbuild ---------------------------------------------------------------
let prerendered = null;

// Rewrites the URLs of the page's modules: new URL('<literal>', import.meta.url)
// anywhere, here('<literal>') in paths.js; swaps in the typeset equations.
// chain: the bundles this build is part of, the last its own entry (a
// reference to itself is import.meta.url: a worker's module naming the worker).
function urlsPlugin(chain) {
  const self = chain.at(-1);
  return {
    name: 'site-urls',
    setup(build) {
      build.onLoad({ filter: /\.m?js$/ }, async ({ path }) => {
        if (path === join(WEB, 'js', 'math-prerendered.js')) return { contents: prerendered.contents, loader: 'js' };
        let text = await readFile(path, 'utf8');
        const from = rel(path);
        const rewrite = async (re, make) => {
          const found = [...text.matchAll(re)];
          const names = await Promise.all(found.map((m) => {
            const target = fileURLToPath(new URL(literalValue(m[1]), pathToFileURL(path)));
            return target === self ? null : asset(target, from, chain);
          }));
          let i = 0;
          text = text.replace(re, () => make(names[i++]));
          return found.length;
        };
        // new URL(x, import.meta.url) in a bundle is relative to the bundle's file, in web/assets/.
        await rewrite(new RegExp(String.raw`new URL\(\s*${STRING}\s*,\s*import\.meta\.url\s*\)`, 'g'),
          (name) => (name ? `new URL(${JSON.stringify(`./${name}`)}, import.meta.url)` : 'new URL(import.meta.url)'));
        if (path === join(WEB, 'js', 'paths.js')) {
          const calls = text.split('\n').filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).join('\n').match(/\bhere\(/g)?.length ?? 0;
          const n = await rewrite(new RegExp(String.raw`\bhere\(\s*${STRING}\s*\)`, 'g'), (name) => `here(${JSON.stringify(`./${name}`)})`);
          if (!n) fail('web/js/paths.js has no here() of a path (the file changed?)');
          if (n !== calls) fail(`web/js/paths.js: ${calls - n} here() call(s) without a string literal (the build cannot see where they point)`);
        }
        return { contents: text, loader: 'js' };
      });
    },
  };
}

const COMMON = {
  bundle: true, minify: true, format: 'esm', target: TARGET, outdir: ASSETS, metafile: true, write: true,
  entryNames: '[name]-[hash]', chunkNames: '[name]-[hash]', assetNames: '[name]-[hash]',
  loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file', '.svg': 'file', '.png': 'file' },
  logLevel: 'warning', absWorkingDir: ROOT, legalComments: 'eof', preserveSymlinks: true,
};

// ---- the page ----------------------------------------------------------------
async function buildPage() {
  let html = await readFile(join(WEB, 'index.html'), 'utf8');

  // Module scripts: bundled together, with code splitting.
  const scripts = [...html.matchAll(/<script type="module" src="\.\/([^"]+)"><\/script>/g)].map((m) => m[1]);
  if (!scripts.length) fail('web/index.html has no <script type="module" src="./..."> (the page changed?)');
  // Stylesheets, with KaTeX's (the typeset equations need it).
  const styles = [...html.matchAll(/<link rel="stylesheet" href="\.\/([^"]+)">/g)].map((m) => m[1]);
  const { KATEX_CSS } = await import(pathToFileURL(join(WEB, 'js', 'paths.js')).href);
  const cssFiles = [...styles.map((s) => join(WEB, s)), fileURLToPath(KATEX_CSS)];
  const cssEntry = join(WEB, 'site.css'); // virtual: no such file
  const virtualCss = {
    name: 'site-css',
    setup(build) {
      build.onResolve({ filter: /^site\.css$/ }, () => ({ path: cssEntry, namespace: 'site-css' }));
      build.onLoad({ filter: /.*/, namespace: 'site-css' }, () => ({
        contents: cssFiles.map((f) => `@import ${JSON.stringify(f)};`).join('\n'), loader: 'css', resolveDir: WEB,
      }));
    },
  };
  const entries = scripts.map((s) => join(WEB, s));
  const result = await esbuild.build({
    ...COMMON, entryPoints: [...entries, 'site.css'], splitting: true, plugins: [virtualCss, woff2Only, await fontSubsetter(), urlsPlugin([])],
  });
  noteInputs(result);
  const outputs = result.metafile.outputs;
  const outName = (entry) => outputOf(result, entry);
  const cssName = Object.entries(outputs).find(([, m]) => m.entryPoint?.endsWith('site.css'))?.[0];
  if (!cssName) fail('esbuild wrote no stylesheet');

  for (const s of scripts) {
    const name = outName(join(WEB, s));
    // The chunks the entry imports statically: fetched at once, not one by one.
    const main = Object.entries(outputs).find(([o]) => basename(o) === name)[1];
    const preload = main.imports.filter((i) => i.kind === 'import-statement' && !i.external)
      .map((i) => `<link rel="modulepreload" href="./assets/${basename(i.path)}">`).join('\n  ');
    html = html.replace(`<script type="module" src="./${s}"></script>`, `<script type="module" src="./assets/${name}"></script>${preload ? `\n  ${preload}` : ''}`);
  }
  html = html.replace(`<link rel="stylesheet" href="./${styles[0]}">`, `<link rel="stylesheet" href="./assets/${basename(cssName)}">`);
  for (const s of styles.slice(1)) html = html.replace(`<link rel="stylesheet" href="./${s}">`, '');

  // Other files of web/ the markup names (images): hashed.
  const local = [...new Set([...html.matchAll(/\s(?:src|href)="\.\/((?!assets\/)[^"#?]+)"/g)].map((m) => m[1]))];
  for (const f of local) {
    const name = await asset(join(WEB, f), 'web/index.html', []);
    html = html.split(`="./${f}"`).join(`="./assets/${name}"`);
  }

  // Files of web/ that are not the page's code (images, models, data) also
  // keep their own paths, for a URL made relative to the document.
  for (const f of await walk(WEB)) {
    const r = relative(WEB, f).split(sep).join('/');
    if (r.startsWith('js/') || r === 'index.html' || /\.(css|md)$/.test(r)) continue;
    await mkdir(dirname(join(OUT, 'web', r)), { recursive: true });
    await copyFile(f, join(OUT, 'web', r));
  }

  const math = typesetHtml(html);
  html = math.html;
  const left = html.match(/\s(?:src|href)="\.\/(?!assets\/)[^"#]+"/);
  if (left) fail(`web/index.html still refers to ${left[0].trim()} (not in the site)`);
  await writeFile(join(OUT, 'web', 'index.html'), html);
  return { equations: math.count };
}

// ---- licences ----------------------------------------------------------------
async function copyLicences() {
  const dirs = new Set();
  for (const file of sources) {
    const r = rel(file);
    let m = r.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)\//);
    if (m) { dirs.add(`node_modules/${m[1]}`); continue; }
    m = r.match(/^(data\/.+)\/[^/]+$/);
    if (m) dirs.add(m[1]);
    if (r.startsWith('tests/fixtures/')) dirs.add('tests/fixtures');
  }
  for (const d of dirs) {
    const names = (await readdir(join(ROOT, d))).filter((n) => /^(LICEN[CS]E|SOURCE|COPYING|NOTICE)/i.test(n));
    if (!names.length && d.startsWith('data/')) fail(`${d} has no SOURCE.md or LICENSE to ship with its data`);
    for (const n of names) {
      const to = join(OUT, 'licenses', d.replace(/^node_modules\//, ''), n);
      await mkdir(dirname(to), { recursive: true });
      await copyFile(join(ROOT, d, n), to);
    }
  }
  await copyFile(join(ROOT, 'LICENSE'), join(OUT, 'LICENSE'));
  return dirs.size;
}

async function walk(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await walk(p));
    else out.push(p);
  }
  return out;
}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'index.js')) || !existsSync(join(ROOT, 'dist', 'rnn.wasm'))) {
    fail('dist/ is not built: run ./build.sh dist first (npm run build:site does)');
  }
  if (OUT === ROOT || !relative(ROOT, OUT) || relative(OUT, ROOT) === '' || !relative(OUT, ROOT).startsWith('..')) fail(`refusing to write into ${OUT}`);
  await rm(OUT, { recursive: true, force: true });
  await mkdir(ASSETS, { recursive: true });

  prerendered = await prerenderedModule();
  const page = await buildPage();
  await Promise.all(assets.values());
  const licences = await copyLicences();

  await writeFile(join(OUT, 'index.html'), `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>rnn-wasm</title>
  <meta http-equiv="refresh" content="0; url=web/">
  <link rel="canonical" href="web/">
  <link rel="icon" href="data:,">
</head>
<body>
  <p><a href="web/">rnn-wasm: recurrent networks, live in your browser</a></p>
</body>
</html>
`);
  await writeFile(join(OUT, '.nojekyll'), '');

  // Nothing may still point into the repository.
  for (const file of await walk(join(OUT, 'web'))) {
    if (!/\.(js|css|html)$/.test(file)) continue;
    const text = await readFile(file, 'utf8');
    for (const bad of ['../node_modules/', '../tests/', '../data/', '../dist/', '../shared/']) {
      if (text.includes(bad)) fail(`${relative(OUT, file)} still refers to ${bad}`);
    }
  }

  const files = await walk(OUT);
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  console.log(`build-site: ${page.equations} equations of index.html and ${prerendered.count} of the modules typeset; ${assets.size} files referenced by URL; licences of ${licences} packages and datasets`);
  for (const f of fontReport) console.log(`build-site: font ${f}`);
  console.log(`build-site: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB in ${relative(process.cwd(), OUT) || '.'}/`);
  console.log('build-site: copy that folder to any static host; to try it here: python3 -m http.server -d build/site 8080, then open http://localhost:8080/');
}

await main();
