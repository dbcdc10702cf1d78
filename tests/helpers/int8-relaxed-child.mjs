// int8-relaxed-child.mjs - the relaxed build's int8 (rnn-int8-relaxed.wasm:
// qgemm.h's c4 flavour, relaxed SIMD's int8 dot, 7-bit activations), run by
// tests/int8.test.mjs under `node --experimental-wasm-relaxed-simd`. Checks:
// its products are bitwise those of the same module with the scalar c4
// kernels (build/rnn-int8-relaxed-ref.wasm, build.sh); its results are
// within a tolerance of the SIMD128 build's int8 (and differ from them: 7-bit
// activations); streams equal forward; the W4 error stays within PyTorch
// quantize_dynamic's. Throws on the first failed check; prints one JSON line
// of measurements for the parent.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { init } from '../../dist/index.js';
import { w4Int8Error } from './int8-w4.mjs';
import { assertClose, lcg, randTensor } from './util.mjs';

const REF = new URL('../../build/rnn-int8-relaxed-ref.wasm', import.meta.url);
assert.ok(existsSync(REF), 'build/rnn-int8-relaxed-ref.wasm is missing: run ./build.sh dist');
const relaxed = await init({ build: 'relaxed' });
const ref = await init({ build: 'relaxed', locateFile: (f) => (f === 'rnn-int8-relaxed.wasm' ? REF : new URL(`../../dist/${f}`, import.meta.url)) });
const simd = await init({ build: 'simd' });
assert.equal(relaxed.build, 'relaxed');
assert.notEqual(ref, relaxed, 'a second relaxed engine');
await Promise.all([relaxed, ref, simd].map((api) => api.loadInt8()));

const CELLS = [
  ['LSTM', {}], ['LSTM', { projSize: 3 }], ['GRU', {}], ['GRU', { resetAfter: false }], ['RNN', {}],
  ['RNN', { nonlinearity: 'relu' }], ['MinGRU', {}], ['MinLSTM', { logSpace: true }],
];
const out = { worst: 0, worstVsFloat: 0, differing: 0, total: 0, cases: 0 };
const bitwise = (a, b, what) => assert.ok(a.length === b.length && a.every((v, i) => Object.is(v, b[i])), `${what}: relaxed kernels against the scalar c4 reference`);

// Sizes off the tiles: hidden 21 (N not a multiple of 16), inputs 7 (K not
// a multiple of 4); batches 1 (1x16), 5 (a 4x8 quad and a row), 8.
for (const [cls, extra] of CELLS) {
  for (const [numLayers, bidirectional, B] of [[1, false, 1], [2, false, 5], [2, true, 8]]) {
    const rnd = lcg(7), T = 5, x = randTensor([T, B, 7], rnd, 1), lengths = Array.from({ length: B }, (_, b) => T - (b % 3));
    const res = [relaxed, ref, simd].map((api) => {
      const m = new api[cls]({ inputSize: 7, hiddenSize: 21, seed: 5, numLayers, bidirectional, ...extra }).eval();
      const f = m.forward(x, { lengths }).output.data.slice();
      m.quantize();
      const q = m.forward(x, { lengths });
      let stream = null;
      if (!bidirectional && B === 1) {
        const s = m.stream();
        stream = Float32Array.from({ length: T * m.outputSize }, () => 0);
        for (let t = 0; t < T; t++) stream.set(s.step(x.data.subarray(t * 7, t * 7 + 7)), t * m.outputSize);
        s.dispose();
      }
      m.dispose();
      return { f, y: q.output.data.slice(), hN: q.hN.data.slice(), stream };
    });
    const what = `${cls} ${JSON.stringify(extra)} L=${numLayers} bidirectional=${bidirectional} B=${B}`;
    bitwise(res[0].y, res[1].y, `${what} output`);
    bitwise(res[0].hN, res[1].hN, `${what} hN`);
    out.worst = Math.max(out.worst, assertClose(res[0].y, res[2].y, { atol: 0.03, what: `${what}: relaxed int8 vs SIMD128 int8` }));
    out.worstVsFloat = Math.max(out.worstVsFloat, assertClose(res[0].y, res[0].f, { atol: 0.03, what: `${what}: relaxed int8 vs float32` }));
    for (let i = 0; i < res[0].y.length; i++) out.differing += res[0].y[i] !== res[2].y[i];
    out.total += res[0].y.length;
    if (res[0].stream) assertClose(res[0].stream, res[0].y, { atol: 1e-6, what: `${what}: stream vs forward` });
    out.cases++;
  }
}
assert.ok(out.differing > out.total / 2, `relaxed int8 should differ from SIMD128's (7-bit activations): ${out.differing} of ${out.total} differ`);

// Linear heads (the 4x8 kernel over N = 10, K = 33, 9 rows)
{
  const x = randTensor([9, 33], lcg(3), 2);
  const [a, b] = [relaxed, ref].map((api) => {
    const l = new api.Linear({ inFeatures: 33, outFeatures: 10, seed: 2 }).eval().quantize();
    const y = l.forward(x).data.slice();
    l.dispose();
    return y;
  });
  bitwise(a, b, 'Linear 33 -> 10, 9 rows');
}

// W4 (H256, B32, T64): the error against float32 stays within PyTorch's
// quantize_dynamic on the same model and inputs (tests/fixtures/int8.json)
{
  const { fx, err } = w4Int8Error(relaxed);
  assert.ok(err > 0 && err <= fx.torch_int8_max_abs_err, `W4 relaxed int8 max abs error ${err} against PyTorch's ${fx.torch_int8_max_abs_err}`);
  out.w4Error = err;
  out.torchW4Error = fx.torch_int8_max_abs_err;
}
console.log(JSON.stringify(out));
