// forward(x, { output: false }) gives the final states only, bitwise as a
// full forward; backward({ ..., dx: false }) skips dx and changes nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, RnnError } from '../dist/index.js';

const rnn = await init();

function uniform(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

for (const cell of ['LSTM', 'GRU', 'RNN']) {
  test(`${cell}: { output: false } gives the same hN${cell === 'LSTM' ? '/cN' : ''} and gradients, and no output`, () => {
    const opts = { inputSize: 5, hiddenSize: 12, numLayers: 2, bidirectional: true, batchFirst: true, seed: 3 };
    const a = new rnn[cell](opts), b = new rnn[cell](opts);
    const x = { shape: [3, 7, 5], data: uniform(105, 1) };
    const h0 = { shape: [4, 3, 12], data: uniform(144, 2) };
    const full = a.forward(x, { h0, lengths: [7, 2, 5] });
    const last = b.forward(x, { h0, lengths: [7, 2, 5], output: false });
    assert.equal('output' in last, false);
    assert.deepEqual(last.hN, full.hN);
    if (cell === 'LSTM') assert.deepEqual(last.cN, full.cN);
    const dhN = { shape: full.hN.shape, data: uniform(full.hN.data.length, 4) };
    const ga = a.backward({ dhN }), gb = b.backward({ dhN, dx: false });
    assert.equal('dx' in gb, false);
    assert.ok(ga.dx.data.some((v) => v !== 0));
    assert.deepEqual(gb.dh0, ga.dh0);
    if (cell === 'LSTM') assert.deepEqual(gb.dc0, ga.dc0);
    assert.deepEqual(b.grads(), a.grads());
    // dOutput is still accepted after a forward without output.
    b.forward(x, { h0, output: false });
    const dOutput = { shape: [3, 7, 24], data: uniform(3 * 7 * 24, 5) };
    a.forward(x, { h0 });
    assert.deepEqual(b.backward({ dOutput }).dx, a.backward({ dOutput }).dx);
    a.dispose(); b.dispose();
  });
}

test('output and dx must be booleans', () => {
  const m = new rnn.LSTM({ inputSize: 2, hiddenSize: 3 });
  const x = { shape: [2, 1, 2], data: new Float32Array(4) };
  assert.throws(() => m.forward(x, { output: 'no' }), (e) => e instanceof RnnError && e.code === 'INVALID_ARGUMENT' && /output/.test(e.message));
  assert.ok(m.forward(x, { output: true }).output);
  assert.throws(() => m.backward({ dx: 0 }), (e) => e instanceof RnnError && e.code === 'INVALID_ARGUMENT' && /dx/.test(e.message));
  assert.ok(m.backward({ dx: true }).dx);
  m.dispose();
});
