// Shared helpers for the Node tests: fixtures, tolerances, deterministic
// inputs (the browser-loadable ones live in synthetic.js and are re-exported
// here) and the RnnError check.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { RnnError } from '../../dist/index.js';

export { addingBatches, addingRegressor, lcg } from './synthetic.js';

export const BACKENDS = [{ simd: true, name: 'wasm-simd128' }, { simd: false, name: 'wasm-scalar' }];

export function loadFixture(name) {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
}

/** JSON { shape, data } -> engine tensor (Float32Array data). */
export function t32(j) {
  return j == null ? undefined : { shape: j.shape, data: Float32Array.from(j.data) };
}

export function maxAbs(a) {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** Asserts |got - want| <= atol + rtol * max|want| elementwise, with a useful message. */
export function assertClose(got, want, { atol = 0, rtol = 0, what = 'tensor' } = {}) {
  const g = got.data ?? got, w = want.data ?? want;
  if (want.shape && got.shape) assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(g.length, w.length, `${what}: length`);
  const tol = atol + rtol * maxAbs(w);
  let worst = 0, at = -1;
  for (let i = 0; i < w.length; i++) {
    const d = Math.abs(g[i] - w[i]);
    if (!(d <= worst)) { worst = d; at = i; }
  }
  assert.ok(worst <= tol, `${what}: max |diff| ${worst} at [${at}] (got ${g[at]}, want ${w[at]}) > tol ${tol}`);
  return worst;
}

export function randTensor(shape, rnd, scale = 1) {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => scale * 2 * rnd()) };
}

/** Asserts fn throws an RnnError with this code (and a message matching pattern, if given). */
export function throwsCode(fn, code, pattern) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof RnnError, `expected RnnError, got ${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}
