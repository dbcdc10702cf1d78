// Dropout between stacked recurrent layers: training mode only, a fresh
// mask per element and step from the seeded generator, inverted scaling,
// and backward through the same masks (checked by finite differences with
// the generator state replayed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { lcg, maxAbs, randTensor } from './helpers/util.mjs';

const rnn = await init();
const opts = { inputSize: 3, hiddenSize: 6, numLayers: 3, seed: 4 };

test('eval mode is the model without dropout; training mode drops', () => {
  const rnd = lcg(1);
  const x = randTensor([5, 2, 3], rnd);
  const a = new rnn.GRU({ ...opts, dropout: 0.5 });
  const b = new rnn.GRU({ ...opts, dropout: 0 });
  b.loadStateDict(a.stateDict());
  assert.equal(a.training, true);
  const ref = b.forward(x).output.data;
  assert.deepEqual(a.eval().forward(x).output.data, ref);
  const t1 = a.train().forward(x).output.data;
  const t2 = a.forward(x).output.data;
  assert.notDeepEqual(t1, ref);
  assert.notDeepEqual(t1, t2, 'each forward must draw fresh masks');
  // Same seed, same masks: a second model replays the first one's stream.
  const c = new rnn.GRU({ ...opts, dropout: 0.5 });
  assert.deepEqual(c.forward(x).output.data, t1);
  // A single layer has nothing between layers to drop (as in PyTorch).
  const one = new rnn.LSTM({ inputSize: 3, hiddenSize: 4, dropout: 0.9, seed: 1 });
  const oneRef = new rnn.LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
  assert.deepEqual(one.forward(x).output.data, oneRef.forward(x).output.data);
  for (const m of [a, b, c, one, oneRef]) m.dispose();
});

test('the kept fraction is 1 - p and kept values are scaled by 1/(1 - p)', () => {
  // RNN(relu) with identity-like weights passes the dropped activations of
  // layer 0 straight through layer 1, so the output shows the mask.
  const H = 64, T = 50, B = 20, p = 0.3;
  const m = new rnn.RNN({ inputSize: H, hiddenSize: H, numLayers: 2, nonlinearity: 'relu', bias: false, dropout: p, seed: 9 });
  const sd = m.stateDict();
  for (const k of Object.keys(sd)) sd[k].data.fill(0);
  for (let i = 0; i < H; i++) { sd.weight_ih_l0.data[i * H + i] = 1; sd.weight_ih_l1.data[i * H + i] = 1; }
  m.loadStateDict(sd);
  const x = { shape: [T, B, H], data: new Float32Array(T * B * H).fill(1) };
  const y = m.forward(x).output.data;
  let kept = 0;
  for (const v of y) {
    if (v !== 0) { kept++; assert.ok(Math.abs(v - 1 / (1 - p)) < 1e-6, `kept value ${v}`); }
  }
  const n = y.length, frac = kept / n, sigma = Math.sqrt(p * (1 - p) / n);
  assert.ok(Math.abs(frac - (1 - p)) < 4 * sigma, `kept ${frac}, expected ${1 - p} ± ${4 * sigma}`);
  m.dispose();
});

for (const cls of ['LSTM', 'GRU', 'RNN']) {
  test(`${cls}: backward goes through the same masks (finite differences, replayed generator)`, () => {
    const rnd = lcg(7);
    const m = new rnn[cls]({ ...opts, dropout: 0.4, bidirectional: true });
    const x = randTensor([4, 2, 3], rnd);
    const w = randTensor([4, 2, 12], rnd);
    const state = m.rngState;
    const loss = () => {
      m.rngState = state;
      const y = m.forward(x).output.data;
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * w.data[i];
      return s;
    };
    loss();
    const { dx } = m.backward({ dOutput: w });
    const scale = maxAbs(dx.data);
    const eps = 1e-2;
    for (let i = 0; i < x.data.length; i += 3) {
      x.data[i] += eps; const lp = loss();
      x.data[i] -= 2 * eps; const lm = loss();
      x.data[i] += eps;
      const fd = (lp - lm) / (2 * eps);
      assert.ok(Math.abs(fd - dx.data[i]) <= 2e-3 * scale + 2e-4, `dx[${i}] ${dx.data[i]} vs ${fd}`);
    }
    m.dispose();
  });
}
