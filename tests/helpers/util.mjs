// Shared helpers for the Node tests.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

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

/** Deterministic pseudo-random numbers for test inputs (not the engine's generator). */
export function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

export function randTensor(shape, rnd, scale = 1) {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, () => scale * 2 * rnd()) };
}
