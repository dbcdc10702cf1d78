// The download budget. The core: dist/rnn.wasm plus every module the entry
// dist/index.js loads statically (its static import graph) — what
// `import 'rnn-wasm'` + init() fetches — at most 100 KB gzipped, each file
// compressed on its own with gzip -9 as a server would. Where the runtime
// has relaxed SIMD, rnn-relaxed.wasm + rnn-relaxed-kernels.wasm are fetched
// instead of rnn.wasm: that core has the same budget. rnn-scalar.wasm is
// only fetched where SIMD128 is missing, instead of rnn.wasm; the .d.ts
// files are not shipped to browsers.
// Lazily loaded modules — reached only through a dynamic import('./x.js')
// (the TF.js / Keras interop: js/keras.js, which esbuild's code splitting
// puts in a chunk of its own; likewise the ONNX import and export, and int8
// inference, js/int8.js with its wasm module rnn-int8*.wasm) or a worker entry new URL('./x.js',
// import.meta.url) (the trainer and thread workers) — are fetched only when
// that feature is used: each such entry, with the files its static graph
// adds beyond the core, has its own budget of 16 KB. Every dist/*.js must be
// in the core or in a lazy group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const BUDGET = 100 * 1024;
const LAZY_BUDGET = 16 * 1024;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

const gz = (f) => gzipSync(readFileSync(dist + f), { level: 9 }).length;
const STATIC = /(?:\bimport|\bexport)\s*(?:[\w$*{},\s]+?\s*from\s*)?["']\.\/([\w.-]+\.js)["']/g;
const LAZY = /import\(\s*["']\.\/([\w.-]+\.js)["']\s*\)|new URL\(\s*["']\.\/([\w.-]+\.js)["']\s*,\s*import\.meta\.url\s*\)/g;

// The static import graph of entry: a set of file names.
function staticGraph(entry) {
  const seen = new Set(), todo = [entry];
  while (todo.length) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of readFileSync(dist + f, 'utf8').matchAll(STATIC)) todo.push(m[1]);
  }
  return seen;
}

// The engine files init() fetches for each single-threaded build it picks by itself.
export const ENGINES = { simd: ['rnn.wasm'], relaxed: ['rnn-relaxed.wasm', 'rnn-relaxed-kernels.wasm'] };

export function payload(build = 'simd') {
  const core = staticGraph('index.js');
  const files = [...ENGINES[build], ...[...core].sort()].map((file) => ({ file, gzip: gz(file), raw: readFileSync(dist + file).length }));
  const lazy = new Map(); // entry -> files beyond the core
  const reached = new Set(core);
  for (let grew = true; grew;) {
    grew = false;
    for (const f of [...reached]) {
      for (const m of readFileSync(dist + f, 'utf8').matchAll(LAZY)) {
        const entry = m[1] ?? m[2];
        if (lazy.has(entry) || core.has(entry)) continue;
        const own = [...staticGraph(entry)].filter((g) => !core.has(g));
        lazy.set(entry, own);
        own.forEach((g) => reached.add(g));
        grew = true;
      }
    }
  }
  return {
    files,
    gzip: files.reduce((a, s) => a + s.gzip, 0),
    raw: files.reduce((a, s) => a + s.raw, 0),
    lazy: [...lazy].map(([entry, own]) => ({ entry, files: own, gzip: own.reduce((a, g) => a + gz(g), 0) })),
    unreached: readdirSync(dist).filter((f) => f.endsWith('.js') && !reached.has(f)),
  };
}

test('the core (dist/rnn.wasm, or the relaxed build\'s two files, + what dist/index.js loads statically) gzipped fits in 100 KB', (t) => {
  for (const build of Object.keys(ENGINES)) {
    for (const f of ENGINES[build]) assert.ok(existsSync(dist + f), `dist/${f} is missing: run ./build.sh dist first`);
    const p = payload(build);
    const detail = p.files.map((s) => `${s.file} ${s.gzip}`).join(', ');
    assert.ok(p.gzip <= BUDGET,
      `the ${build} core is ${p.gzip} bytes gzipped (${(p.gzip / 1024).toFixed(1)} KB; ${p.raw} raw), over the ${BUDGET}-byte budget by ${p.gzip - BUDGET}: ${detail}`);
    t.diagnostic(`${build}: ${p.gzip} bytes gzipped, ${BUDGET - p.gzip} free (${detail})`);
  }
  const p = payload();
  const interop = p.files.filter((s) => readFileSync(dist + s.file, 'utf8').includes('weightsManifest'));
  assert.deepEqual(interop.map((s) => s.file), [], 'the TF.js interop (js/keras.js) must stay out of the core (reached by import() only)');
  const onnx = p.files.filter((s) => readFileSync(dist + s.file, 'utf8').includes('linear_before_reset'));
  assert.deepEqual(onnx.map((s) => s.file), [], 'the ONNX export (js/onnx/export.js) must stay out of the core (reached by import() only)');
  const int8 = p.files.filter((s) => readFileSync(dist + s.file, 'latin1').includes('rnn_qgemm_packed'));
  assert.deepEqual(int8.map((s) => s.file), [], 'the int8 code (js/int8.js, rnn-int8*.wasm) must stay out of the core (rnn.loadInt8() fetches it)');
});

test('each lazily loaded module (the TF.js interop, the ONNX export, the worker entries) fits in 16 KB gzipped; no dist/*.js is unaccounted for', () => {
  const p = payload();
  assert.deepEqual(p.unreached, [], `dist/ files neither in the core nor lazily loaded: ${p.unreached.join(', ')}`);
  assert.ok(p.lazy.some((l) => l.files.some((f) => readFileSync(dist + f, 'utf8').includes('weightsManifest'))), 'the TF.js interop is loaded lazily');
  assert.ok(p.lazy.some((l) => l.files.some((f) => readFileSync(dist + f, 'utf8').includes('linear_before_reset'))), 'the ONNX export is loaded lazily');
  assert.ok(p.lazy.some((l) => l.files.some((f) => readFileSync(dist + f, 'utf8').includes('rnn_qgemm_packed'))), 'the int8 code is loaded lazily');
  // rnn.loadInt8()'s download: js/int8.js's chunk and one int8 module (the largest)
  const int8 = p.lazy.find((l) => l.files.some((f) => readFileSync(dist + f, 'utf8').includes('rnn_qgemm_packed')));
  const module = Math.max(...['rnn-int8.wasm', 'rnn-int8-scalar.wasm', 'rnn-int8-mt.wasm', 'rnn-int8-relaxed.wasm'].map(gz));
  assert.ok(int8.gzip + module <= LAZY_BUDGET, `rnn.loadInt8() fetches ${int8.gzip} + ${module} bytes gzipped, over ${LAZY_BUDGET}`);
  for (const l of p.lazy) {
    assert.ok(l.gzip <= LAZY_BUDGET, `${l.entry} (${l.files.join(', ')}) is ${l.gzip} bytes gzipped, over its ${LAZY_BUDGET}-byte budget`);
  }
});
