// Bad input gets a clear RnnError with a code and a message naming the
// problem, and leaves the instance (and the model's weights) usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, RnnError } from '../dist/index.js';
import { throwsCode } from './helpers/util.mjs';

const rnn = await init();
const x = (T, B, I) => ({ shape: [T, B, I], data: new Float32Array(T * B * I).fill(0.1) });


test('constructor options are checked by name', () => {
  throwsCode(() => new rnn.LSTM({ inputSize: 4 }), 'INVALID_ARGUMENT', /hiddenSize.*required/);
  throwsCode(() => new rnn.LSTM({ inputSize: 4, hiddenSize: 0 }), 'INVALID_ARGUMENT', /hiddenSize/);
  throwsCode(() => new rnn.LSTM({ inputSize: 2.5, hiddenSize: 3 }), 'INVALID_ARGUMENT', /inputSize/);
  throwsCode(() => new rnn.GRU({ inputSize: 4, hiddenSize: 3, hiden: 2 }), 'INVALID_ARGUMENT', /unknown option 'hiden'/);
  throwsCode(() => new rnn.RNN({ inputSize: 4, hiddenSize: 3, nonlinearity: 'sigmoid' }), 'INVALID_ARGUMENT', /nonlinearity/);
  throwsCode(() => new rnn.GRU({ inputSize: 4, hiddenSize: 3, nonlinearity: 'relu' }), 'INVALID_ARGUMENT', /unknown option 'nonlinearity'/);
  throwsCode(() => new rnn.LSTM({ inputSize: 4, hiddenSize: 3, dropout: 1 }), 'INVALID_ARGUMENT', /dropout/);
  throwsCode(() => new rnn.LSTM({ inputSize: 4, hiddenSize: 3, numLayers: 0 }), 'INVALID_ARGUMENT', /numLayers/);
  throwsCode(() => new rnn.LSTM({ inputSize: 4, hiddenSize: 3, bias: 1 }), 'INVALID_ARGUMENT', /bias/);
  throwsCode(() => new rnn.LSTM({ inputSize: 4, hiddenSize: 3, seed: -1 }), 'INVALID_ARGUMENT', /seed/);
  throwsCode(() => new rnn.LSTM({ inputSize: 4, hiddenSize: 8, projSize: 8 }), 'INVALID_ARGUMENT', /projSize.*\[0, 7\]/);
  throwsCode(() => new rnn.LSTM({ inputSize: 4, hiddenSize: 8, projSize: -1 }), 'INVALID_ARGUMENT', /projSize/);
  throwsCode(() => new rnn.GRU({ inputSize: 4, hiddenSize: 8, projSize: 2 }), 'INVALID_ARGUMENT', /unknown option 'projSize'/);
  throwsCode(() => new rnn.LSTM({ inputSize: 4, hiddenSize: 8, dropout: -0.1 }), 'INVALID_ARGUMENT', /dropout/);
  // cell variants: a cell that lacks an option refuses it
  throwsCode(() => new rnn.LSTM({ inputSize: 4, hiddenSize: 8, resetAfter: false }), 'INVALID_ARGUMENT', /unknown option 'resetAfter'/);
  throwsCode(() => new rnn.RNN({ inputSize: 4, hiddenSize: 8, gateActivation: 'sigmoid' }), 'INVALID_ARGUMENT', /unknown option 'gateActivation'/);
  throwsCode(() => new rnn.RNN({ inputSize: 4, hiddenSize: 8, resetAfter: true }), 'INVALID_ARGUMENT', /unknown option 'resetAfter'/);
  throwsCode(() => new rnn.GRU({ inputSize: 4, hiddenSize: 8, gateActivation: 'hard_sigmoid' }), 'INVALID_ARGUMENT', /gateActivation.*'hardSigmoid'/);
  throwsCode(() => new rnn.LSTM({ inputSize: 4, hiddenSize: 8, gateActivation: 'relu' }), 'INVALID_ARGUMENT', /gateActivation/);
  throwsCode(() => new rnn.GRU({ inputSize: 4, hiddenSize: 8, resetAfter: 0 }), 'INVALID_ARGUMENT', /resetAfter/);
});

test('forward checks x, h0 and c0', () => {
  const lstm = new rnn.LSTM({ inputSize: 4, hiddenSize: 3, seed: 1 });
  try {
    throwsCode(() => lstm.forward(x(5, 2, 3)), 'SHAPE', /x must have shape \[T, B, 4\]/);
    throwsCode(() => lstm.forward({ shape: [5, 2, 2, 4], data: new Float32Array(80) }), 'SHAPE', /x must have shape/);
    throwsCode(() => lstm.forward({ shape: [5, 2, 4], data: new Float64Array(40) }), 'DTYPE', /x\.data must be a Float32Array, got Float64Array/);
    throwsCode(() => lstm.forward({ shape: [5, 2, 4], data: [1, 2, 3] }), 'DTYPE', /Float32Array/);
    throwsCode(() => lstm.forward({ shape: [5, 2, 4], data: new Float32Array(39) }), 'SHAPE', /39 values/);
    throwsCode(() => lstm.forward(x(0, 2, 4)), 'SHAPE', /at least one step/);
    throwsCode(() => lstm.forward(new Float32Array(40)), 'INVALID_ARGUMENT', /tensor \{ shape, data \}/);
    throwsCode(() => lstm.forward(x(5, 2, 4), { h0: x(1, 3, 3) }), 'SHAPE', /h0 must have shape \[1, 2, 3\]/);
    throwsCode(() => lstm.forward(x(5, 2, 4), { c0: x(2, 2, 3) }), 'SHAPE', /c0/);
    throwsCode(() => lstm.forward(x(5, 2, 4), { h: x(1, 2, 3) }), 'INVALID_ARGUMENT', /unknown option 'h'/);
    const gru = new rnn.GRU({ inputSize: 4, hiddenSize: 3 });
    throwsCode(() => gru.forward(x(5, 2, 4), { c0: x(1, 2, 3) }), 'INVALID_ARGUMENT', /c0 is only for LSTM/);
    gru.dispose();
    // Still works after all of that.
    assert.equal(lstm.forward(x(5, 2, 4)).output.data.length, 30);
  } finally {
    lstm.dispose();
  }
});

test('backward checks order and shapes; a failed call keeps the forward', () => {
  const gru = new rnn.GRU({ inputSize: 4, hiddenSize: 3, seed: 1 });
  try {
    throwsCode(() => gru.backward({}), 'STATE', /call forward first/);
    const { output } = gru.forward(x(5, 2, 4));
    throwsCode(() => gru.backward({ dOutput: x(5, 2, 4) }), 'SHAPE', /dOutput must have shape \[5, 2, 3\]/);
    throwsCode(() => gru.backward({ dcN: x(1, 2, 3) }), 'INVALID_ARGUMENT', /dcN is only for LSTM/);
    const g = gru.backward({ dOutput: { shape: output.shape, data: output.data.map(() => 1) } });
    assert.deepEqual(g.dx.shape, [5, 2, 4]);
    throwsCode(() => gru.backward({}), 'STATE', /one backward per forward/);
  } finally {
    gru.dispose();
  }
});

test('loadStateDict rejects missing, unexpected and mis-shaped keys by name and keeps the weights', () => {
  const lstm = new rnn.LSTM({ inputSize: 4, hiddenSize: 3, seed: 1 });
  try {
    const before = lstm.stateDict();
    const sd = lstm.stateDict();
    for (const k of Object.keys(sd)) sd[k].data.fill(7);
    const { bias_hh_l0: _, ...missing } = sd;
    throwsCode(() => lstm.loadStateDict(missing), 'SHAPE', /missing keys: bias_hh_l0/);
    throwsCode(() => lstm.loadStateDict({ ...sd, weight_hr_l0: sd.bias_ih_l0 }), 'SHAPE', /unexpected keys: weight_hr_l0/);
    throwsCode(() => lstm.loadStateDict({ ...sd, weight_hh_l0: { shape: [3, 12], data: new Float32Array(36) } }),
      'SHAPE', /'weight_hh_l0' must have shape \[12, 3\], got \[3,12\]/);
    throwsCode(() => lstm.loadStateDict({ ...sd, bias_ih_l0: { shape: [12], data: new Float64Array(12) } }), 'DTYPE', /bias_ih_l0/);
    assert.deepEqual(lstm.stateDict(), before, 'weights changed by a rejected load');
    lstm.loadStateDict(sd);
    assert.ok(lstm.stateDict().weight_ih_l0.data.every((v) => v === 7));
  } finally {
    lstm.dispose();
  }
});

test('use after dispose throws DISPOSED; dispose is idempotent', () => {
  const rnnl = new rnn.RNN({ inputSize: 2, hiddenSize: 2 });
  const opt = new rnn.SGD(rnnl.parameters(), { lr: 0.1 });
  rnnl.dispose();
  rnnl.dispose();
  throwsCode(() => rnnl.forward(x(1, 1, 2)), 'DISPOSED', /disposed/);
  throwsCode(() => rnnl.stateDict(), 'DISPOSED');
  throwsCode(() => opt.step(), 'DISPOSED', /module .* was disposed/);
  opt.dispose();
  throwsCode(() => opt.zeroGrad(), 'DISPOSED');
});

test('optimizer options are checked', () => {
  const m = new rnn.LSTM({ inputSize: 2, hiddenSize: 2 });
  try {
    throwsCode(() => new rnn.Adam(m.parameters(), { lr: -1 }), 'INVALID_ARGUMENT', /lr/);
    throwsCode(() => new rnn.Adam(m.parameters(), { betas: [0.9, 1] }), 'INVALID_ARGUMENT', /beta2/);
    throwsCode(() => new rnn.Adam(m.parameters(), { momentum: 0.9 }), 'INVALID_ARGUMENT', /unknown option 'momentum'/);
    throwsCode(() => new rnn.SGD(m.parameters(), { nesterov: true }), 'INVALID_ARGUMENT', /nesterov/);
    throwsCode(() => new rnn.AdamW([], {}), 'INVALID_ARGUMENT', /non-empty/);
    throwsCode(() => new rnn.AdamW([1, 2], {}), 'INVALID_ARGUMENT', /params\[0\]/);
    const p = m.parameters();
    throwsCode(() => new rnn.SGD([p[0], p[0]], {}), 'INVALID_ARGUMENT', /appears twice/);
    throwsCode(() => rnn.clipGradNorm(p, -1), 'INVALID_ARGUMENT', /maxNorm/);
  } finally {
    m.dispose();
  }
});

test('a model or batch too large for wasm memory is an error and the instance keeps working', () => {
  throwsCode(() => new rnn.LSTM({ inputSize: 65536, hiddenSize: 65536 }), 'OUT_OF_MEMORY', /too large|out of memory/);
  const m = new rnn.LSTM({ inputSize: 1, hiddenSize: 1024, seed: 2 });
  try {
    // Output alone would need 4 GB: refused before any allocation.
    throwsCode(() => m.forward(x(1_000_000, 1, 1)), 'OUT_OF_MEMORY', /more than wasm32 memory can hold/);
    // The I/O (~0.23 GB) fits, but the activation cache (~2.0 GB, under the
    // engine's size check) does not fit beside it in 2 GB: malloc fails in C.
    const before = rnn.memoryBytes();
    throwsCode(() => m.forward(x(55_000, 1, 1)), 'OUT_OF_MEMORY', /out of memory for activations/);
    // Far larger: refused by the size check before malloc is tried.
    throwsCode(() => m.forward(x(150_000, 1, 1)), 'OUT_OF_MEMORY', /too large/);
    assert.ok(rnn.memoryBytes() <= 2 ** 31);
    assert.ok(before > 0);
    const ok = m.forward(x(3, 2, 1));
    assert.equal(ok.output.data.length, 3 * 2 * 1024);
    assert.ok(ok.output.data.every(Number.isFinite));
  } finally {
    m.dispose();
  }
});

test('lengths: wrong count, zero, above T, negative, non-integer; token ids out of range', () => {
  const lstm = new rnn.LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 });
  const emb = new rnn.Embedding({ numEmbeddings: 5, embeddingDim: 2, seed: 1 });
  try {
    const xs = x(4, 2, 2);
    throwsCode(() => lstm.forward(xs, { lengths: [4] }), 'SHAPE', /lengths has 1 entries but the batch has 2/);
    throwsCode(() => lstm.forward(xs, { lengths: [0, 3] }), 'INVALID_ARGUMENT', /lengths\[0\] must be an integer in \[1, 4\], got 0/);
    throwsCode(() => lstm.forward(xs, { lengths: [4, 5] }), 'INVALID_ARGUMENT', /lengths\[1\] must be an integer in \[1, 4\], got 5/);
    throwsCode(() => lstm.forward(xs, { lengths: [-1, 2] }), 'INVALID_ARGUMENT', /lengths\[0\]/);
    throwsCode(() => lstm.forward(xs, { lengths: [2.5, 3] }), 'INVALID_ARGUMENT', /got 2\.5/);
    throwsCode(() => lstm.forward(xs, { lengths: 'ab' }), 'INVALID_ARGUMENT', /lengths must be an array or Int32Array/);
    throwsCode(() => emb.forward({ shape: [2], data: Int32Array.of(0, 5) }), 'INVALID_ARGUMENT', /ids\[1\] = 5 is out of range \[0, 5\)/);
    throwsCode(() => emb.forward({ shape: [2], data: Int32Array.of(-1, 2) }), 'INVALID_ARGUMENT', /ids\[0\] = -1/);
    // Still usable.
    assert.equal(lstm.forward(xs, { lengths: Int32Array.of(4, 2) }).output.data.length, 24);
    assert.equal(emb.forward({ shape: [2], data: Int32Array.of(0, 4) }).data.length, 4);
  } finally {
    lstm.dispose();
    emb.dispose();
  }
});

test('setCheckFinite(true): NaN / Infinity in inputs, states, gradients, targets and stream steps are NON_FINITE errors', () => {
  const lstm = new rnn.LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 });
  const lin = new rnn.Linear({ inFeatures: 3, outFeatures: 1, seed: 1 });
  const s = lstm.stream({ batch: 1 });
  const bad = (T, B, I, at, v = NaN) => { const t = x(T, B, I); t.data[at] = v; return t; };
  assert.equal(rnn.checkFinite, false);
  try {
    // Off (the default): no scan, NaN flows through as in PyTorch.
    assert.ok(Number.isNaN(lstm.forward(bad(4, 1, 2, 6)).output.data[9]));
    assert.equal(rnn.setCheckFinite(true), false);
    assert.equal(rnn.checkFinite, true);
    const before = lstm.stateDict();
    throwsCode(() => lstm.forward(bad(4, 1, 2, 5)), 'NON_FINITE', /x holds NaN at index 5/);
    throwsCode(() => lstm.forward(x(4, 1, 2), { h0: bad(1, 1, 3, 2, Infinity) }), 'NON_FINITE', /h0 holds Infinity at index 2/);
    throwsCode(() => lstm.forward(x(4, 1, 2), { c0: bad(1, 1, 3, 0, -Infinity) }), 'NON_FINITE', /c0 holds -Infinity/);
    lstm.forward(x(4, 1, 2));
    throwsCode(() => lstm.backward({ dOutput: bad(4, 1, 3, 1) }), 'NON_FINITE', /dOutput holds NaN at index 1/);
    throwsCode(() => lin.forward({ shape: [1, 3], data: Float32Array.of(1, NaN, 0) }), 'NON_FINITE', /x holds NaN/);
    throwsCode(() => rnn.losses.mse({ shape: [1], data: Float32Array.of(1) }, { shape: [1], data: Float32Array.of(NaN) }), 'NON_FINITE', /target/);
    throwsCode(() => lstm.loadStateDict({ ...before, weight_hh_l0: { shape: [12, 3], data: bad(12, 3, 1, 7).data } }), 'NON_FINITE', /weight_hh_l0/);
    assert.deepEqual(lstm.stateDict(), before, 'a rejected state dict changes nothing');
    throwsCode(() => s.step(Float32Array.of(1, Infinity)), 'NON_FINITE', /step: x holds Infinity at index 1/);
    throwsCode(() => s.run(Float32Array.of(1, 2, NaN, 0), 2), 'NON_FINITE', /run: xs holds NaN at index 2/);
    // Everything still works with finite data.
    assert.equal(s.step(Float32Array.of(1, 2)).length, 3);
    lstm.backward({ dOutput: x(4, 1, 3) });
  } finally {
    rnn.setCheckFinite(false);
    s.dispose();
    lstm.dispose();
    lin.dispose();
  }
});
