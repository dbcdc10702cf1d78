// The download budget: dist/rnn.wasm plus the JS wrapper (every dist/*.js;
// the .d.ts files are not shipped to browsers, and rnn-scalar.wasm is only
// fetched where SIMD128 is missing, instead of rnn.wasm) at most 100 KB
// gzipped, each file compressed on its own with gzip -9 as a server would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const BUDGET = 100 * 1024;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

export function payload() {
  const files = ['rnn.wasm', ...readdirSync(dist, { recursive: true }).filter((f) => f.endsWith('.js')).sort()];
  const sizes = files.map((f) => {
    const bytes = readFileSync(dist + f);
    return { file: f, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { files: sizes, raw: sizes.reduce((a, s) => a + s.raw, 0), gzip: sizes.reduce((a, s) => a + s.gzip, 0) };
}

test('dist/rnn.wasm + dist/*.js gzipped fit in 100 KB', () => {
  assert.ok(existsSync(dist + 'rnn.wasm'), 'dist/rnn.wasm is missing: run ./build.sh dist first');
  const p = payload();
  const detail = p.files.map((s) => `${s.file} ${s.gzip}`).join(', ');
  assert.ok(p.gzip <= BUDGET,
    `payload is ${p.gzip} bytes gzipped (${(p.gzip / 1024).toFixed(1)} KB; ${p.raw} raw), over the ${BUDGET}-byte budget by ${p.gzip - BUDGET}: ${detail}`);
});
