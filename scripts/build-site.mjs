#!/usr/bin/env node
// build-site.mjs - a self-contained static copy of the course page (web/),
// for any static host: GitHub Pages, Netlify, S3, nginx, `python3 -m
// http.server`, ...
//
//   ./build.sh dist && node scripts/build-site.mjs [out-dir]   (default build/site/)
//   npm run build:site                                          (the same, with the build)
//
// Layout of the output (the page's relative URLs keep working):
//   index.html          -> redirects to web/
//   web/                the page (paths to npm packages and fixtures rewritten)
//   shared/             modules the page shares with examples/ (anomaly-core.js)
//   dist/               the library (*.js) and its two .wasm files
//   vendor/             uPlot, KaTeX (+ fonts), Inter, with their licences
//   data/               the datasets the playground fetches, with SOURCE.md / licences
//   data/pytorch/       the PyTorch-trained SentimentLSTM and PyTorch's logits for it,
//                       and the TF.js-trained sentiment model (tfjs_sentiment/)
//   .nojekyll           so GitHub Pages serves every file as is
// The .wasm is fetched with fetch(): any MIME type works (application/wasm
// lets the browser compile while downloading).
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = resolve(process.argv[2] ?? join(ROOT, 'build', 'site'));

// Text files of web/ get these rewrites; each must happen at least once in
// the files named (so a renamed path fails the build instead of the page).
const REWRITES = [
  { from: 'node_modules/', to: 'vendor/', mustIn: ['js/paths.js', 'style.css'] },
  { from: 'tests/fixtures/', to: 'data/pytorch/', mustIn: ['js/paths.js'] },
];
const TEXT = /\.(m?js|css|html|svg|json)$/;

const VENDOR = [
  'uplot/dist/uPlot.esm.js', 'uplot/dist/uPlot.min.css', 'uplot/LICENSE',
  'katex/dist/katex.mjs', 'katex/dist/katex.min.css', 'katex/LICENSE',
  '@fontsource-variable/inter/files/inter-latin-wght-normal.woff2', '@fontsource-variable/inter/LICENSE',
];
const DATA = [
  'sentiment/uci/sentences.tsv', 'sentiment/uci/SOURCE.md',
  'text/tinyshakespeare/tinyshakespeare.txt', 'text/tinyshakespeare/SOURCE.md',
  'timeseries/nab/machine_temperature_system_failure.csv', 'timeseries/nab/labels.json',
  'timeseries/nab/LICENSE.txt', 'timeseries/nab/SOURCE.md',
  'seq2seq/cmudict-g2p/g2p.tsv', 'seq2seq/cmudict-g2p/LICENSE.txt', 'seq2seq/cmudict-g2p/SOURCE.md',
  'README.md',
];
const FIXTURES = ['sentiment_torch.safetensors', 'sentiment_torch.json',
  'tfjs_sentiment/model.json', 'tfjs_sentiment/model.weights.bin', 'tfjs_sentiment/expected.json'];

function fail(msg) {
  console.error(`build-site: ${msg}`);
  process.exit(1);
}

async function copy(from, to) {
  if (!existsSync(from)) fail(`missing ${relative(ROOT, from)}`);
  await mkdir(dirname(to), { recursive: true });
  await cp(from, to);
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
  if (OUT === ROOT || !relative(ROOT, OUT) || relative(OUT, ROOT) === '') fail(`refusing to write into ${OUT}`);
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });

  // web/, rewritten
  const webDir = join(ROOT, 'web');
  const counts = REWRITES.map(() => new Map());
  for (const file of await walk(webDir)) {
    const rel = relative(webDir, file);
    const to = join(OUT, 'web', rel);
    await mkdir(dirname(to), { recursive: true });
    if (!TEXT.test(file)) { await cp(file, to); continue; }
    let text = await readFile(file, 'utf8');
    REWRITES.forEach((r, i) => {
      const n = text.split(r.from).length - 1;
      if (n) counts[i].set(rel.split('\\').join('/'), n);
      text = text.split(r.from).join(r.to);
    });
    await writeFile(to, text);
  }
  REWRITES.forEach((r, i) => {
    for (const f of r.mustIn) if (!counts[i].get(f)) fail(`expected "${r.from}" in web/${f} (the path layout changed?)`);
  });

  // modules shared with examples/ (the page imports ../../shared/*.js)
  for (const f of await readdir(join(ROOT, 'shared'))) {
    if (f.endsWith('.js')) await copy(join(ROOT, 'shared', f), join(OUT, 'shared', f));
  }
  // the library
  for (const f of await readdir(join(ROOT, 'dist'))) {
    if (/\.(js|wasm)$/.test(f)) await copy(join(ROOT, 'dist', f), join(OUT, 'dist', f));
  }
  // npm packages the page uses
  for (const f of VENDOR) await copy(join(ROOT, 'node_modules', f), join(OUT, 'vendor', f));
  const fonts = join(ROOT, 'node_modules', 'katex', 'dist', 'fonts');
  for (const f of await readdir(fonts)) {
    if (f.endsWith('.woff2')) await copy(join(fonts, f), join(OUT, 'vendor', 'katex', 'dist', 'fonts', f));
  }
  // data
  for (const f of DATA) await copy(join(ROOT, 'data', f), join(OUT, 'data', f));
  for (const f of FIXTURES) await copy(join(ROOT, 'tests', 'fixtures', f), join(OUT, 'data', 'pytorch', f));
  await copy(join(ROOT, 'LICENSE'), join(OUT, 'LICENSE'));

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

  // Nothing may still point outside the site.
  for (const file of await walk(join(OUT, 'web'))) {
    if (!TEXT.test(file)) continue;
    const text = await readFile(file, 'utf8');
    for (const bad of ['node_modules/', 'tests/fixtures/']) {
      if (text.includes(bad)) fail(`${relative(OUT, file)} still refers to ${bad}`);
    }
  }

  const files = await walk(OUT);
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  console.log(`build-site: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB in ${relative(process.cwd(), OUT) || '.'}/`);
  console.log('build-site: copy that folder to any static host; to try it here: python3 -m http.server -d build/site 8080, then open http://localhost:8080/');
}

await main();
