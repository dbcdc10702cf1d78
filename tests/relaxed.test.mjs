// relaxed.test.mjs - the relaxed-SIMD build (rnn-relaxed.wasm with its
// kernels in rnn-relaxed-kernels.wasm; init({ build })). Node 20 validates
// relaxed SIMD only under --experimental-wasm-relaxed-simd: this file runs
// without it (the fallback to SIMD128, the typed errors) and runs
// helpers/relaxed-child.mjs with it (the relaxed build against the SIMD one,
// with a tolerance: relaxed_madd may fuse, so results are not bitwise).
// Browsers pick the build by themselves: browser.test.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { init, relaxedSupported, RnnError } from '../dist/index.js';

const CHILD = fileURLToPath(new URL('./helpers/relaxed-child.mjs', import.meta.url));

test('without --experimental-wasm-relaxed-simd Node falls back to the SIMD128 build; a forced relaxed build is a typed error', async () => {
  assert.equal(relaxedSupported(), false, 'Node 20 has no relaxed SIMD without the flag');
  const rnn = await init();
  assert.equal(rnn.build, 'simd');
  assert.equal(rnn.backend, 'wasm-simd128');
  assert.equal((await init({ build: 'scalar' })).backend, 'wasm-scalar');
  assert.equal((await init({ simd: true })).build, 'simd', 'simd: true is the SIMD128 build, not relaxed');
  await assert.rejects(init({ build: 'relaxed' }), (e) => e instanceof RnnError && e.code === 'UNSUPPORTED'
    && /relaxed SIMD/.test(e.message) && /--experimental-wasm-relaxed-simd/.test(e.message));
  for (const build of ['fma', 'toString', 1]) {
    await assert.rejects(init({ build }), (e) => e instanceof RnnError && e.code === 'INVALID_ARGUMENT'
      && /'relaxed', 'simd' or 'scalar'/.test(e.message), `build: ${build}`);
  }
});

test('under --experimental-wasm-relaxed-simd: init() picks the relaxed build, its kernels run, results match the SIMD build within float32 rounding', { timeout: 300_000 }, (t) => {
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', CHILD], { encoding: 'utf8', timeout: 280_000 });
  assert.equal(r.status, 0, `relaxed-child.mjs failed:\n${r.stderr}`);
  const { worst, differing, total, calls } = JSON.parse(r.stdout.trim().split('\n').at(-1));
  const max = Math.max(...Object.values(worst));
  t.diagnostic(`largest |relaxed - simd| ${max.toExponential(2)}; ${differing} of ${total} values differ in the last bits (fused multiply-add)`);
  t.diagnostic(`kernel calls: ${JSON.stringify(calls)}`);
});
