// bench/min_blocks.mjs, the block stacks of the learning race (issue 23): the token shift against
// its definition and its backward as its adjoint, the causal convolution started as that shift, the
// pair embedding's rows and gradients, and finite differences through a small stack that uses both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { BigramEmbedding, TimeShift, blockStack, causalConv } from '../bench/min_blocks.mjs';
import { lcg, maxAbs, randTensor } from './helpers/util.mjs';

const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);

test('TimeShift: each shifted group reads its lag, zeros before the chunk; backward is the adjoint', () => {
  const B = 3, T = 6, d = 9, rnd = lcg(3);
  for (const [s, steps, lags] of [
    [3, 1, [0, 0, 0, 0, 0, 0, 1, 1, 1]],
    [6, 3, [0, 0, 0, 3, 3, 2, 2, 1, 1]],
    [7, 3, [0, 0, 3, 3, 2, 2, 1, 1, 1]],
  ]) {
    const shift = new TimeShift(s, steps);
    const x = randTensor([B, T, d], rnd);
    const y = shift.forward(x);
    assert.deepEqual(y.shape, [B, T, d]);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < d; j++) {
          const lag = lags[j], want = t >= lag ? x.data[((b * T + t - lag) * d) + j] : 0;
          assert.equal(y.data[(b * T + t) * d + j], want, `s ${s} x${steps}: [${b}, ${t}, ${j}]`);
        }
      }
    }
    const dy = randTensor([B, T, d], rnd);
    const { dx } = shift.backward({ dOutput: dy });
    // a linear map: <dy, S x> = <S^T dy, x>
    assert.ok(Math.abs(dot(dy.data, y.data) - dot(dx.data, x.data)) < 1e-4, `s ${s} x${steps}: adjoint`);
  }
});

test('causalConv with the shift init starts as the TimeShift: the same outputs, then its taps train', async () => {
  const rnn = await init();
  const B = 2, T = 5, d = 8;
  const x = randTensor([B, T, d], lcg(4));
  for (const [k, shift] of [[4, 0.5], [2, 0.25], [3, 0.75]]) {
    const conv = causalConv(rnn, d, k, { shift });
    assert.deepEqual(conv.forward(x).data, new TimeShift(Math.round(shift * d)).forward(x).data, `k ${k}, shift ${shift}`);
    conv.backward({ dOutput: x });
    assert.ok(maxAbs(conv.grads().weight.data) > 0, 'the taps get gradient');
    conv.dispose();
  }
});

test('BigramEmbedding: one row per pair seen in training, zero at the start, gradients to both tables', async () => {
  const rnn = await init();
  const V = 4, d = 3, trainIds = Int32Array.from([0, 1, 2, 1, 2, 3, 0, 1]); // pairs 01 12 21 12 23 30 01: 5 distinct
  const emb = new BigramEmbedding(rnn, V, d, trainIds, 5);
  assert.equal(emb.pair.numEmbeddings, 6); // row 0: unseen pairs and the first step
  assert.equal(emb.numParams, V * d + 6 * d);
  const x = { shape: [1, 4], data: Int32Array.from([0, 1, 3, 3]) }; // pairs -, 01 (row 1), 13 (unseen), 33 (unseen)
  const uni = emb.uni.stateDict().weight.data;
  const y0 = emb.forward(x);
  for (let t = 0; t < 4; t++) {
    for (let j = 0; j < d; j++) assert.equal(y0.data[t * d + j], uni[x.data[t] * d + j], 'the pair table starts at zero');
  }
  const pairW = new Float32Array(6 * d).map((_, i) => i + 1);
  emb.pair.loadStateDict({ weight: { shape: [6, d], data: pairW } });
  const y = emb.forward(x);
  const rowOf = [0, 1, 0, 0];
  for (let t = 0; t < 4; t++) {
    for (let j = 0; j < d; j++) {
      assert.ok(Math.abs(y.data[t * d + j] - (uni[x.data[t] * d + j] + pairW[rowOf[t] * d + j])) < 1e-6, `step ${t}`);
    }
  }
  emb.zeroGrad();
  const dy = new Float32Array(4 * d).map((_, i) => (i % 5) - 2);
  emb.backward({ dOutput: { shape: [1, 4, d], data: dy } });
  const gPair = emb.pair.grads().weight.data;
  for (let j = 0; j < d; j++) {
    assert.equal(gPair[1 * d + j], dy[1 * d + j], 'row 1 took step 1');
    assert.equal(gPair[0 * d + j], dy[0 * d + j] + dy[2 * d + j] + dy[3 * d + j], 'row 0 took steps 0, 2, 3');
  }
  emb.dispose();
});

test('finite differences agree with backward through a block stack with the shift and the pair embedding', async () => {
  const rnn = await init();
  const V = 5, B = 2, T = 5, rnd = lcg(11);
  const trainIds = Int32Array.from({ length: 40 }, (_, i) => (i * i * 7 + i * 3 + 1) % V);
  const m = { cell: 'MinGRU', layers: 2, hidden: 6, mlp: 0, shift: 0.5, shiftSteps: 1, bigram: true };
  const model = blockStack(rnn, m, V, { trainIds, seed: 2 });
  // the pair table starts at zero: give it values so its gradient path is tested with real rows
  const sd0 = model.stateDict();
  const pairKey = '0.pair.weight';
  assert.ok(sd0[pairKey] && sd0['0.uni.weight'], 'both tables are in the state dict');
  sd0[pairKey].data.forEach((_, i, a) => { a[i] = rnd() - 0.5; });
  model.loadStateDict(sd0);
  const x = { shape: [B, T], data: Int32Array.from({ length: B * T }, (_, i) => (i * 3 + 2) % V) };
  const w = randTensor([B, T, V], lcg(5));
  const loss = () => dot(model.forward(x, { state: null }).data, w.data);
  model.zeroGrad();
  model.forward(x, { state: null });
  model.backward({ shape: w.shape, data: w.data });
  const grads = model.grads(), sd = model.stateDict();
  const EPS = 1e-2;
  for (const name of Object.keys(sd)) {
    const g = grads[name].data, scale = Math.max(maxAbs(g), 1e-3);
    for (let i = 0; i < g.length; i += 3) {
      sd[name].data[i] += EPS; model.loadStateDict(sd); const lp = loss();
      sd[name].data[i] -= 2 * EPS; model.loadStateDict(sd); const lm = loss();
      sd[name].data[i] += EPS; model.loadStateDict(sd);
      const fd = (lp - lm) / (2 * EPS);
      assert.ok(Math.abs(fd - g[i]) <= 2e-3 * scale + 2e-4, `${name}[${i}]: backward ${g[i]} vs finite difference ${fd}`);
    }
  }
  model.dispose();
});
