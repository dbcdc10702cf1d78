// Streaming inference (layer.stream) and gate taps (stream.taps(), forward
// with { taps: true }): streams equal forward over the same sequence, taps
// equal a JS recomputation from the weights, state handling, errors, weight
// changes mid-stream, and a 100,000-step soak with flat memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { BACKENDS, assertClose, lcg, randTensor, throwsCode } from './helpers/util.mjs';

const rnn = await init();


const CELLS = [
  ['LSTM', {}], ['LSTM', { projSize: 3 }], ['GRU', {}], ['RNN', {}], ['RNN', { nonlinearity: 'relu' }],
  ['GRU', { resetAfter: false }], ['GRU', { resetAfter: false, gateActivation: 'hardSigmoid' }],
  ['LSTM', { gateActivation: 'hardSigmoidKeras3', projSize: 3 }],
];

function make(api, cls, opts) {
  return new api[cls]({ inputSize: 5, hiddenSize: 7, seed: 11, ...opts });
}

// The state the stream starts from and the same state for forward.
function randomState(layer, B, rnd) {
  const L = layer.numLayers;
  const st = { h: randTensor([L, B, layer.outputSize], rnd, 0.8) };
  if (layer.mode === 'LSTM') st.c = randTensor([L, B, layer.hiddenSize], rnd, 0.8);
  return st;
}

test('a stream computes what forward computes (every cell and variant, layers 1 and 3, projSize, batch 1 and 4, bias, both builds)', async (t) => {
  for (const { simd, name: backend } of BACKENDS) {
    const api = await init({ simd });
    for (const [cls, extra] of CELLS) {
      for (const numLayers of [1, 3]) {
        for (const B of [1, 4]) {
          for (const bias of [true, false]) {
            const label = `${backend} ${cls} ${JSON.stringify(extra)} L=${numLayers} B=${B} bias=${bias}`;
            await t.test(label, () => {
              // dropout and training mode: streams never apply dropout
              const layer = make(api, cls, { numLayers, bias, dropout: numLayers > 1 ? 0.5 : 0, ...extra });
              const rnd = lcg(numLayers * 100 + B * 10 + (bias ? 1 : 0));
              const T = 9, I = layer.inputSize, Ho = layer.outputSize;
              const x = randTensor([T, B, I], rnd);
              const st = randomState(layer, B, rnd);
              const s = layer.stream({ batch: B });
              try {
                s.setState(st);
                layer.eval();
                const ref = layer.forward(x, { h0: st.h, c0: st.c });
                layer.train();
                const got = new Float32Array(T * B * Ho);
                // the first steps one by one, the rest in one run
                const split = 4;
                for (let t0 = 0; t0 < split; t0++) {
                  const y = s.step(x.data.subarray(t0 * B * I, (t0 + 1) * B * I));
                  got.set(y, t0 * B * Ho);
                }
                got.set(s.run(x.data.subarray(split * B * I), T - split), split * B * Ho);
                assertClose(got, ref.output.data, { atol: 1e-6, what: `${label} output` });
                const fin = s.getState();
                assertClose(fin.h, ref.hN, { atol: 1e-6, what: 'h' });
                if (cls === 'LSTM') assertClose(fin.c, ref.cN, { atol: 1e-6, what: 'c' });
              } finally {
                s.dispose();
                layer.dispose();
              }
            });
          }
        }
      }
    }
  }
});

// PyTorch's equations in float64 from the state dict.
const sig = (v) => 1 / (1 + Math.exp(-v));
function affine(W, b, v, rows, cols, r0) {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = b ? b[r0 + r] : 0;
    for (let k = 0; k < cols; k++) s += W[(r0 + r) * cols + k] * v[k];
    out[r] = s;
  }
  return out;
}

test('LSTM stream taps equal i, f, g, o, c, h recomputed from the weights', () => {
  const I = 3, H = 4;
  const layer = new rnn.LSTM({ inputSize: I, hiddenSize: H, seed: 5 });
  const s = layer.stream({ taps: true });
  try {
    const sd = layer.stateDict();
    const [Wih, Whh, bih, bhh] = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'].map((k) => sd[k].data);
    const rnd = lcg(9);
    const st = randomState(layer, 1, rnd);
    s.setState(st);
    let h = Float64Array.from(st.h.data), c = Float64Array.from(st.c.data);
    for (let step = 0; step < 3; step++) {
      const x = randTensor([I], rnd).data;
      const y = s.step(x);
      const pre = (gate) => {
        const a = affine(Wih, bih, x, H, I, gate * H), b = affine(Whh, bhh, h, H, H, gate * H);
        return a.map((v, j) => v + b[j]);
      };
      const i = pre(0).map(sig), f = pre(1).map(sig), g = pre(2).map(Math.tanh), o = pre(3).map(sig);
      c = c.map((cv, j) => f[j] * cv + i[j] * g[j]);
      h = c.map((cv, j) => o[j] * Math.tanh(cv));
      const [taps] = s.taps();
      assert.deepEqual(Object.keys(taps), ['i', 'f', 'g', 'o', 'c', 'h']);
      const want = { i, f, g, o, c, h };
      for (const k of Object.keys(want)) assertClose(taps[k], want[k], { atol: 1e-6, what: `step ${step} ${k}` });
      assertClose(y, h, { atol: 1e-6, what: 'output' });
    }
  } finally {
    layer.dispose();
  }
});

test('GRU and RNN stream taps equal r, z, n, h and h recomputed from the weights', () => {
  const I = 3, H = 4;
  const gru = new rnn.GRU({ inputSize: I, hiddenSize: H, seed: 6 });
  const elman = new rnn.RNN({ inputSize: I, hiddenSize: H, seed: 7 });
  const sg = gru.stream({ taps: true }), se = elman.stream({ taps: true });
  try {
    const rnd = lcg(3);
    const x = randTensor([I], rnd).data;
    const h0 = randTensor([1, 1, H], rnd, 0.8);
    sg.setState({ h: h0 });
    se.setState({ h: h0 });
    sg.step(x);
    se.step(x);
    const hp = Float64Array.from(h0.data);
    {
      const sd = gru.stateDict();
      const [Wih, Whh, bih, bhh] = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'].map((k) => sd[k].data);
      const gi = (gate) => affine(Wih, bih, x, H, I, gate * H), gh = (gate) => affine(Whh, bhh, hp, H, H, gate * H);
      const r = gi(0).map((v, j) => sig(v + gh(0)[j])), z = gi(1).map((v, j) => sig(v + gh(1)[j]));
      const n = gi(2).map((v, j) => Math.tanh(v + r[j] * gh(2)[j]));
      const h = n.map((nv, j) => (1 - z[j]) * nv + z[j] * hp[j]);
      const [taps] = sg.taps();
      assert.deepEqual(Object.keys(taps), ['r', 'z', 'n', 'h']);
      for (const [k, v] of Object.entries({ r, z, n, h })) assertClose(taps[k], v, { atol: 1e-6, what: `GRU ${k}` });
    }
    {
      const sd = elman.stateDict();
      const a = affine(sd.weight_ih_l0.data, sd.bias_ih_l0.data, x, H, I, 0);
      const b = affine(sd.weight_hh_l0.data, sd.bias_hh_l0.data, hp, H, H, 0);
      const [taps] = se.taps();
      assert.deepEqual(Object.keys(taps), ['h']);
      assertClose(taps.h, a.map((v, j) => Math.tanh(v + b[j])), { atol: 1e-6, what: 'RNN h' });
    }
  } finally {
    gru.dispose();
    elman.dispose();
  }
});

test('forward taps at step t equal stream taps after t + 1 steps (every cell, 2 layers, batch 3)', () => {
  for (const [cls, extra] of CELLS) {
    const layer = make(rnn, cls, { numLayers: 2, ...extra });
    layer.eval();
    const s = layer.stream({ batch: 3, taps: true });
    try {
      const T = 5, B = 3, I = layer.inputSize, H = layer.hiddenSize, Ho = layer.outputSize;
      const rnd = lcg(21);
      const x = randTensor([T, B, I], rnd);
      const st = randomState(layer, B, rnd);
      s.setState(st);
      const { taps, output } = layer.forward(x, { h0: st.h, c0: st.c, taps: true });
      assert.equal(taps.length, 2);
      const names = Object.keys(taps[0]);
      for (const rec of taps) {
        for (const k of names) {
          assert.deepEqual(rec[k].shape, [T, B, k === 'h' ? Ho : H], `${cls} ${k} shape`);
        }
      }
      // the last layer's h is the output
      assert.deepEqual(taps[1].h.data, output.data);
      for (let t = 0; t < T; t++) {
        s.step(x.data.subarray(t * B * I, (t + 1) * B * I));
        const st2 = s.taps();
        for (let l = 0; l < 2; l++) {
          assert.deepEqual(Object.keys(st2[l]), names);
          for (const k of names) {
            const F = k === 'h' ? Ho : H;
            assertClose(st2[l][k], taps[l][k].data.subarray(t * B * F, (t + 1) * B * F),
              { atol: 1e-6, what: `${cls} ${JSON.stringify(extra)} layer ${l} step ${t} ${k}` });
          }
        }
      }
    } finally {
      layer.dispose();
    }
  }
});

test('forward taps: per layer and direction, batchFirst layout, zeros past lengths, none unless asked', () => {
  const layer = new rnn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, seed: 2 });
  try {
    const T = 4, B = 2, rnd = lcg(5);
    const x = randTensor([B, T, 3], rnd);
    assert.equal(layer.forward(x).taps, undefined);
    const { output, taps } = layer.forward(x, { taps: true, lengths: [4, 2] });
    assert.equal(taps.length, 4); // layer * 2 + direction
    for (const rec of taps) assert.deepEqual(rec.i.shape, [B, T, 4]);
    // [B, T, 2H] output: direction d of the last layer is taps[2 + d].h
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        for (let d = 0; d < 2; d++) {
          for (let j = 0; j < 4; j++) {
            assert.equal(taps[2 + d].h.data[(b * T + t) * 4 + j], output.data[(b * T + t) * 8 + d * 4 + j]);
          }
        }
      }
    }
    // sequence 1 has 2 steps: its steps 2 and 3 are zeros in every tap
    for (const rec of taps) {
      for (const k of Object.keys(rec)) {
        const past = rec[k].data.subarray((1 * T + 2) * 4, (1 * T + 4) * 4);
        assert.ok(past.every((v) => v === 0), `${k} past the length`);
        const live = rec[k].data.subarray(0, T * 4);
        assert.ok(live.some((v) => v !== 0), `${k} within the length`);
      }
    }
    // gate activations are in range
    for (const rec of taps) {
      for (const k of ['i', 'f', 'o']) assert.ok(rec[k].data.every((v) => v >= 0 && v <= 1));
      assert.ok(rec.g.data.every((v) => v >= -1 && v <= 1));
    }
    // taps do not disturb backward
    const g = layer.backward({ dOutput: { shape: output.shape, data: new Float32Array(output.data.length).fill(1) } });
    assert.equal(g.dx.data.length, B * T * 3);
    // unbatched input: [T, H]
    const u = layer.forward({ shape: [T, 3], data: x.data.subarray(0, T * 3) }, { taps: true });
    assert.deepEqual(u.taps[0].c.shape, [T, 4]);
    throwsCode(() => layer.forward(x, { taps: 1 }), 'INVALID_ARGUMENT', /taps/);
  } finally {
    layer.dispose();
  }
});

test('run equals repeated step; step returns one reused view, out gets a copy', () => {
  const layer = new rnn.GRU({ inputSize: 4, hiddenSize: 6, numLayers: 2, seed: 3 });
  const a = layer.stream({ batch: 2 }), b = layer.stream({ batch: 2 });
  try {
    const T = 7, rnd = lcg(8);
    const xs = randTensor([T, 2, 4], rnd).data;
    const stepped = new Float32Array(T * 12);
    let first = null;
    for (let t = 0; t < T; t++) {
      const y = a.step(xs.subarray(t * 8, (t + 1) * 8));
      if (first === null) first = y;
      assert.equal(y, first, 'the same view every step');
      stepped.set(y, t * 12);
    }
    const ran = b.run(xs, T);
    assert.deepEqual(ran, stepped);
    assert.deepEqual(b.getState(), a.getState());
    // steps default to xs.length / (batch * inputSize); out gets a copy
    const out = new Float32Array(T * 12);
    assert.equal(b.run(xs, undefined, out), out);
    const keep = new Float32Array(12);
    assert.equal(a.step(xs.subarray(0, 8), keep), keep);
    const before = keep.slice();
    a.step(xs.subarray(8, 16));
    assert.deepEqual(keep, before, 'out is not overwritten by later steps');
    // a longer run grows the stream's buffers; steps still work afterwards
    const long = randTensor([300, 2, 4], rnd).data;
    assert.equal(b.run(long).length, 300 * 12);
    assert.equal(b.step(xs.subarray(0, 8)).length, 12);
  } finally {
    layer.dispose();
  }
});

test('reset, getState and setState', () => {
  const layer = new rnn.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, projSize: 2, seed: 4 });
  const s = layer.stream({ batch: 2 });
  try {
    const rnd = lcg(1);
    const xs = randTensor([6, 2, 3], rnd).data;
    const zero = s.getState();
    assert.deepEqual(zero.h.shape, [2, 2, 2]);
    assert.deepEqual(zero.c.shape, [2, 2, 5]);
    assert.ok(zero.h.data.every((v) => v === 0) && zero.c.data.every((v) => v === 0));
    const y1 = s.run(xs).slice();
    const mid = s.getState();
    mid.h.data[0] += 0; // a copy: changing it changes nothing
    const y2 = s.run(xs).slice();
    s.reset();
    assert.deepEqual(s.getState(), zero);
    assert.deepEqual(s.run(xs), y1, 'after reset, the same outputs as from the start');
    s.setState(mid);
    assert.deepEqual(s.run(xs), y2, 'setState(getState()) resumes exactly');
    // a missing part is zeros
    s.setState({ h: mid.h });
    assert.ok(s.getState().c.data.every((v) => v === 0));
    throwsCode(() => s.setState({ h: { shape: [2, 2, 5], data: new Float32Array(20) } }), 'SHAPE', /h must have shape \[2, 2, 2\]/);
    throwsCode(() => s.setState({ h: { shape: [2, 2, 2], data: new Float64Array(8) } }), 'DTYPE');
    throwsCode(() => s.setState({ hidden: mid.h }), 'INVALID_ARGUMENT', /unknown key 'hidden'/);
    throwsCode(() => s.setState(null), 'INVALID_ARGUMENT');
  } finally {
    layer.dispose();
  }
  const gru = new rnn.GRU({ inputSize: 3, hiddenSize: 5, seed: 4 });
  try {
    const s2 = gru.stream();
    assert.equal(s2.getState().c, undefined);
    throwsCode(() => s2.setState({ c: { shape: [1, 1, 5], data: new Float32Array(5) } }), 'INVALID_ARGUMENT', /only for LSTM/);
  } finally {
    gru.dispose();
  }
});

test('errors: shapes, dtypes, bidirectional, options, taps, dispose and model dispose', () => {
  const lstm = new rnn.LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
  const s = lstm.stream({ batch: 2 });
  throwsCode(() => s.step(new Float32Array(5)), 'SHAPE', /batch \* inputSize = 2 \* 3 = 6/);
  throwsCode(() => s.step(new Float64Array(6)), 'DTYPE', /Float32Array/);
  throwsCode(() => s.step([1, 2, 3, 4, 5, 6]), 'DTYPE');
  throwsCode(() => s.step(new Float32Array(6), new Float32Array(7)), 'SHAPE', /out/);
  throwsCode(() => s.run(new Float32Array(7)), 'INVALID_ARGUMENT', /steps/);
  throwsCode(() => s.run(new Float32Array(12), 3), 'SHAPE', /xs must have/);
  throwsCode(() => s.run(new Float32Array(12), 0), 'SHAPE', /steps/);
  throwsCode(() => s.run(new Int32Array(12), 2), 'DTYPE');
  throwsCode(() => s.taps(), 'STATE', /taps: true/);
  throwsCode(() => lstm.stream({ batch: 0 }), 'INVALID_ARGUMENT', /batch/);
  throwsCode(() => lstm.stream({ bacth: 2 }), 'INVALID_ARGUMENT', /unknown option 'bacth'/);
  throwsCode(() => lstm.stream({ taps: 'yes' }), 'INVALID_ARGUMENT', /taps/);
  const withTaps = lstm.stream({ taps: true });
  throwsCode(() => withTaps.taps(), 'STATE', /no step/);
  withTaps.step(new Float32Array(3));
  assert.equal(withTaps.taps().length, 1);
  withTaps.reset();
  throwsCode(() => withTaps.taps(), 'STATE', /no step/);
  // the stream still works after all those errors
  assert.equal(s.step(new Float32Array(6)).length, 8);
  s.dispose();
  s.dispose(); // idempotent
  assert.ok(s.disposed);
  throwsCode(() => s.step(new Float32Array(6)), 'DISPOSED', /was disposed/);
  // disposing the model makes its streams unusable
  const s2 = lstm.stream();
  lstm.dispose();
  assert.ok(s2.disposed && withTaps.disposed);
  throwsCode(() => s2.step(new Float32Array(3)), 'DISPOSED', /its model was disposed/);
  throwsCode(() => s2.getState(), 'DISPOSED');
  throwsCode(() => lstm.stream(), 'DISPOSED');
  s2.dispose();

  const bi = new rnn.GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, seed: 1 });
  try {
    throwsCode(() => bi.stream(), 'UNSUPPORTED', /bidirectional/);
  } finally {
    bi.dispose();
  }
});

test('a stream uses the current weights after loadStateDict and optimizer steps', () => {
  for (const [cls, extra] of CELLS) {
    const layer = make(rnn, cls, { numLayers: 2, ...extra });
    layer.eval();
    const s = layer.stream({ batch: 2 });
    try {
      const rnd = lcg(4);
      const I = layer.inputSize;
      const xs = randTensor([6, 2, I], rnd);
      const check = (from, what) => {
        const st = s.getState();
        const ref = layer.forward({ shape: [2, 2, I], data: xs.data.subarray(from * 2 * I, (from + 2) * 2 * I) }, { h0: st.h, c0: st.c });
        const got = s.run(xs.data.subarray(from * 2 * I, (from + 2) * 2 * I), 2);
        assertClose(got, ref.output.data, { atol: 1e-6, what: `${cls} ${what}` });
      };
      check(0, 'initial weights');
      // new weights from another seed
      layer.loadStateDict(make(rnn, cls, { numLayers: 2, seed: 99, ...extra }).stateDict());
      check(2, 'after loadStateDict');
      // an optimizer step
      const opt = new rnn.SGD(layer.parameters(), { lr: 0.5 });
      layer.train();
      const { output } = layer.forward(randTensor([3, 2, I], rnd));
      layer.backward({ dOutput: { shape: output.shape, data: new Float32Array(output.data.length).fill(1) } });
      opt.step();
      opt.dispose();
      layer.eval();
      check(4, 'after an optimizer step');
    } finally {
      layer.dispose();
    }
  }
});

test('a stream keeps working when wasm memory grows (its views are re-made)', () => {
  const layer = new rnn.RNN({ inputSize: 2, hiddenSize: 3, seed: 1 });
  const s = layer.stream();
  try {
    const x = new Float32Array([0.5, -0.5]);
    const before = s.step(x).slice();
    s.reset();
    const bytes = rnn.memoryBytes();
    // a large model grows memory and detaches every old view
    const big = new rnn.LSTM({ inputSize: 512, hiddenSize: 1024, seed: 1 });
    assert.ok(rnn.memoryBytes() > bytes, 'memory grew');
    assert.deepEqual(s.step(x), before);
    big.dispose();
  } finally {
    layer.dispose();
  }
});

// 100,000 steps must not grow wasm memory at all, nor the JS heap. heapUsed
// is noisy: GC runs when it likes, and unoptimized JS boxes every float it
// reads, so the loop below reads the output only every 4096 steps and is
// warmed up until V8 has optimized it. With --expose-gc both measurements
// follow a full GC; without it the bound is 1 MB, well below what even one
// small allocation per step would cost (100,000 views of ~100 bytes: ~10 MB).
function soakSteps(s, views, n) {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const y = s.step(views[i & 63]);
    if ((i & 4095) === 0 && !Number.isFinite(y[0])) bad++;
  }
  return bad;
}

test('soak: 100,000 steps with flat wasm memory and JS heap', () => {
  const layer = new rnn.LSTM({ inputSize: 8, hiddenSize: 32, numLayers: 2, seed: 1 });
  const s = layer.stream();
  try {
    const xs = randTensor([64, 8], lcg(2)).data;
    const views = Array.from({ length: 64 }, (_, i) => xs.subarray(i * 8, (i + 1) * 8));
    let bad = 0;
    for (let i = 0; i < 10; i++) bad += soakSteps(s, views, 2000);
    globalThis.gc?.();
    const mem0 = rnn.memoryBytes(), heap0 = process.memoryUsage().heapUsed;
    bad += soakSteps(s, views, 100000);
    globalThis.gc?.();
    const mem1 = rnn.memoryBytes(), heap1 = process.memoryUsage().heapUsed;
    assert.equal(bad, 0, 'non-finite outputs');
    assert.equal(mem1, mem0, 'wasm memory changed');
    assert.ok(heap1 - heap0 < 1 << 20, `JS heap grew by ${heap1 - heap0} bytes over 100,000 steps`);
  } finally {
    layer.dispose();
  }
});
