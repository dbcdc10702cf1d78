// subnormal.test.mjs - no subnormal floats (0 < |v| < 2^-126) come out of the
// engine: outputs, states, gradients (dx, dh0, dc0, parameter grads), stream
// outputs and states, parameters after Adam steps and Adam's moments, in the
// cases where they used to be born (issue 24): long-sequence training with
// the loss on the last step only (the BPTT carry decays through the
// subnormal range), saturated inputs (sigmoid(-large) underflows), inputs
// that are themselves subnormal (Linear, LSTM), a long stream on saturated
// inputs, on the SIMD, scalar and 2-thread builds. WebAssembly has no
// flush-to-zero mode and every operation on a subnormal takes x86's slow
// path, so the engine flushes them where they are born. Not timed: the
// speed is in bench/cliffs.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { BACKENDS, lcg } from './helpers/util.mjs';

const FLT_MIN = 2 ** -126;

/** How many subnormals a Float32Array holds, and the first one's index and value. */
function subnormals(a) {
  let n = 0, first = -1;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > 0 && v < FLT_MIN) { if (n++ === 0) first = i; }
  }
  return { n, first, value: first >= 0 ? a[first] : undefined };
}

/** Collects named arrays, then asserts none holds a subnormal (one message naming all that do). */
class Scan {
  constructor(label) { this.label = label; this.bad = []; this.seen = 0; }
  add(name, a) {
    if (a == null) return;
    const data = a.data ?? a;
    assert.ok(data instanceof Float32Array, `${name} is a Float32Array`);
    this.seen++;
    const s = subnormals(data);
    if (s.n) this.bad.push(`${name}: ${s.n} of ${data.length} (first [${s.first}] = ${s.value})`);
  }
  addAll(prefix, obj) { for (const [k, v] of Object.entries(obj)) this.add(`${prefix}${k}`, v); }
  check() {
    assert.ok(this.seen > 0, 'scanned something');
    assert.deepEqual(this.bad, [], `${this.label}: subnormal values in ${this.bad.length} arrays`);
  }
}

function uniform(n, rnd, scale) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (2 * rnd() - 1) * scale;
  return a;
}

// [name, class, options]: every cell, and the variants' kernels (issue 19)
const CELLS = [['LSTM', 'LSTM'], ['GRU', 'GRU'], ['RNN', 'RNN'], ['MinGRU', 'MinGRU'], ['MinLSTM', 'MinLSTM'],
  ['GRU reset before, hardSigmoid', 'GRU', { resetAfter: false, gateActivation: 'hardSigmoid' }],
  ['LSTM hardSigmoidKeras3', 'LSTM', { gateActivation: 'hardSigmoidKeras3' }]];

/**
 * A classifier's train steps: the layer over T steps, a Linear head on hN,
 * mse, backward with dx, dh0 (dc0), then Adam; everything scanned.
 */
function trainAndScan(rnn, [, cell, opts], { T, B, I, H, xScale, steps = 2, label }) {
  const scan = new Scan(label);
  const rnd = lcg(T + H);
  const m = new rnn[cell]({ inputSize: I, hiddenSize: H, seed: 3, ...opts });
  const head = new rnn.Linear({ inFeatures: H, outFeatures: 1, seed: 4 });
  const opt = new rnn.Adam([...m.parameters(), ...head.parameters()], { lr: 1e-3 });
  try {
    const x = { shape: [T, B, I], data: uniform(T * B * I, rnd, xScale) };
    const y = { shape: [B, 1], data: uniform(B, rnd, 1) };
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      const out = m.forward(x);
      const pred = head.forward({ shape: [B, H], data: out.hN.data });
      const { grad } = rnn.losses.mse(pred, y);
      const { dx: dh } = head.backward({ dOutput: grad });
      const g = m.backward({ dhN: { shape: out.hN.shape, data: dh.data } });
      if (s === steps - 1) {
        scan.add('output', out.output);
        scan.add('hN', out.hN);
        scan.add('cN', out.cN);
        scan.add('pred', pred);
        scan.add('dx', g.dx);
        scan.add('dh0', g.dh0);
        scan.add('dc0', g.dc0);
        scan.addAll('grad ', m.grads());
        scan.addAll('head grad ', head.grads());
      }
      opt.step();
    }
    scan.addAll('param ', m.stateDict());
    scan.addAll('Adam ', opt.getState().buffers);
  } finally {
    opt.dispose(); head.dispose(); m.dispose();
  }
  scan.check();
}

const builds = [...BACKENDS, { simd: true, threads: 2, name: 'wasm-simd128, 2 threads' }];

for (const { simd, threads, name } of builds) {
  const engine = () => init({ simd, threads: threads ?? 1 });

  test(`${name}: long-sequence training (T 1000, loss on the last step): no subnormal output, state, gradient, parameter or Adam moment`, { timeout: 120_000 }, async (t) => {
    const rnn = await engine();
    for (const cell of CELLS) {
      await t.test(cell[0], () => trainAndScan(rnn, cell, { T: 1000, B: 4, I: 8, H: 32, xScale: 1, label: `${name} ${cell[0]} T=1000` }));
    }
  });

  test(`${name}: saturated inputs (scale 1000): no subnormal output, state, gradient or Adam moment`, { timeout: 120_000 }, async (t) => {
    const rnn = await engine();
    for (const cell of CELLS) {
      await t.test(cell[0], () => trainAndScan(rnn, cell, { T: 128, B: 4, I: 8, H: 32, xScale: 1000, label: `${name} ${cell[0]} saturated` }));
    }
  });

  test(`${name}: subnormal inputs: Linear and the recurrent layers give no subnormal output or gradient`, async (t) => {
    const rnn = await engine();
    const rnd = lcg(7);
    const tiny = (n) => uniform(n, rnd, 2 ** -130); // every value subnormal (or 0)
    await t.test('Linear', () => {
      const scan = new Scan(`${name} Linear`);
      const lin = new rnn.Linear({ inFeatures: 64, outFeatures: 32, seed: 5 });
      try {
        const x = { shape: [16, 64], data: tiny(16 * 64) };
        assert.ok(subnormals(x.data).n > 900, 'the input is subnormal');
        scan.add('output', lin.forward(x));
        scan.add('dx', lin.backward({ dOutput: { shape: [16, 32], data: tiny(16 * 32) } }).dx);
        scan.addAll('grad ', lin.grads());
      } finally { lin.dispose(); }
      scan.check();
    });
    await t.test('LayerNorm, GELU, ReLU', () => {
      const scan = new Scan(`${name} LayerNorm, GELU, ReLU`);
      const ln = new rnn.LayerNorm({ normalizedShape: 64 });
      try {
        const x = { shape: [16, 64], data: tiny(16 * 64) }, dy = { dOutput: { shape: [16, 64], data: tiny(16 * 64) } };
        scan.add('LayerNorm output', ln.forward(x));
        scan.add('LayerNorm dx', ln.backward(dy).dx);
        scan.addAll('LayerNorm grad ', ln.grads());
        for (const act of [new rnn.GELU(), new rnn.ReLU()]) {
          scan.add(`${act.constructor.name} output`, act.forward(x));
          scan.add(`${act.constructor.name} dx`, act.backward(dy).dx);
        }
      } finally { ln.dispose(); }
      scan.check();
    });
    for (const [label, cell, opts] of CELLS) {
      await t.test(label, () => {
        const scan = new Scan(`${name} ${label} subnormal input`);
        const m = new rnn[cell]({ inputSize: 8, hiddenSize: 16, seed: 6, ...opts });
        try {
          const T = 32, B = 4;
          const out = m.forward({ shape: [T, B, 8], data: tiny(T * B * 8) });
          scan.add('output', out.output);
          scan.add('hN', out.hN);
          const g = m.backward({ dOutput: { shape: out.output.shape, data: tiny(out.output.data.length) } });
          scan.add('dx', g.dx);
          scan.add('dh0', g.dh0);
          scan.add('dc0', g.dc0);
          scan.addAll('grad ', m.grads());
        } finally { m.dispose(); }
        scan.check();
      });
    }
  });

  test(`${name}: a stream on saturated inputs (20 000 steps): no subnormal output or state`, { timeout: 120_000 }, async (t) => {
    const rnn = await engine();
    for (const [label, cell, opts] of CELLS) {
      await t.test(label, () => {
        const scan = new Scan(`${name} ${label} stream`);
        const m = new rnn[cell]({ inputSize: 8, hiddenSize: 32, seed: 8, ...opts });
        const s = m.stream({ batch: 2 });
        try {
          const rnd = lcg(9);
          const steps = 20000, chunk = 1000, B = 2, I = 8;
          for (let c0 = 0; c0 < steps; c0 += chunk) {
            const ys = s.run(uniform(chunk * B * I, rnd, 1000), chunk);
            scan.add(`run output [${c0}, ${c0 + chunk})`, ys);
            if (c0 === 0) scan.add('step output', s.step(uniform(B * I, rnd, 1000)));
          }
          scan.addAll('state ', s.getState());
        } finally { s.dispose(); m.dispose(); }
        scan.check();
      });
    }
  });
}

test('the scan itself finds subnormals (so a pass means none were there)', () => {
  const a = new Float32Array([0, 1, -FLT_MIN, 2 ** -127, -(2 ** -149), 1e-30]);
  assert.equal(subnormals(a).n, 2);
  const scan = new Scan('self-check');
  scan.add('a', a);
  assert.throws(() => scan.check(), /subnormal values in 1 arrays/);
});

test('Seq2Seq attention (JS, double to float32): no subnormal weight, context or gradient', async () => {
  // The softmax runs in double; exp(-100) is a normal double but a
  // subnormal float32 once stored in the Float32Array of weights.
  const { attend, attendBackward } = await import('../js/seq2seq/attention.js');
  const H = 2, S = 3;
  const e = {
    S, srcLen: [S],
    keys: new Float32Array([0, 0, -100, 0, -200, 0]), // scores 0, -100, -200 for q = [1, 0]
    enc: new Float32Array([1, 1, 0.5, 0.5, 1e-30, 1e-30]),
  };
  const q = new Float32Array([1, 0]);
  const cat = new Float32Array(2 * H), a = new Float32Array(S);
  attend(q, 1, 1, e, H, cat, a, new Float64Array(S), new Float64Array(H));
  const scan = new Scan('attention');
  scan.add('weights', a);
  scan.add('[c_t; h_t]', cat);
  const dDec = new Float32Array(H);
  const { dEnc64, dKeys64 } = attendBackward(new Float32Array([1e-20, 1e-20, 1, 1]), q, a, e, 1, 1, H, false, dDec);
  scan.add('d queries', dDec);
  const { toFloat32Flushed } = await import('../js/tensor.js');
  scan.add('d values (as seq2seq.js stores them)', toFloat32Flushed(dEnc64));
  scan.add('d keys (as seq2seq.js stores them)', toFloat32Flushed(dKeys64));
  scan.check();
});
