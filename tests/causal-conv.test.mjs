// rnn.CausalConv1d (src/causal_conv.c): against tools/min_rnn.py's PyTorch twin
// (nn.Conv1d, groups = channels, in float64: tests/fixtures/causal_conv.json from
// make_min_fixtures.py), with contexts and packed lengths; chunks with the
// carried context equal one long sequence bit for bit; the SIMD and scalar builds
// agree to the bit; specs; bad input throws typed errors and changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, buildModel, modelSpec } from '../dist/index.js';
import { BACKENDS, assertClose, lcg, loadFixture, randTensor, t32, throwsCode } from './helpers/util.mjs';

for (const backend of BACKENDS) {
  test(`${backend.name}: CausalConv1d matches PyTorch's depthwise nn.Conv1d (outputs, next context, dx, weight and bias gradients)`, async (t) => {
    const rnn = await init(backend);
    for (const c of loadFixture('causal_conv.json').cases) {
      await t.test(`${c.name}: C ${c.channels}, k ${c.kernelSize}${c.context ? ', context' : ''}${c.lengths ? `, lengths ${c.lengths}` : ''}`, () => {
        const conv = new rnn.CausalConv1d({ channels: c.channels, kernelSize: c.kernelSize, bias: c.bias, seed: 1 });
        try {
          assert.deepEqual(Object.keys(conv.stateDict()), Object.keys(c.params), 'state_dict names');
          assert.deepEqual(conv.stateDict().weight.shape, [c.channels, 1, c.kernelSize]);
          conv.loadStateDict(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, t32(v)])));
          const y = conv.forward(t32(c.x), { lengths: c.lengths ?? undefined, state: c.context ? { context: t32(c.context) } : null });
          assertClose(y, c.y, { atol: 2e-6, what: 'y' });
          assertClose(conv.state.context, c.nextContext, { atol: 1e-7, what: 'next context' });
          const { dx } = conv.backward({ dOutput: t32(c.dOutput) });
          assertClose(dx, c.dx, { atol: 2e-6, what: 'dx' });
          const g = conv.grads();
          for (const k of Object.keys(c.grads)) assertClose(g[k], c.grads[k], { rtol: 1e-4, atol: 1e-6, what: `grad ${k}` });
        } finally {
          conv.dispose();
        }
      });
    }
  });

  // The conv layers alone agree to the bit; through a min cell, whose scan composes its steps in
  // chunks counted from each call's first step, to rounding.
  test(`${backend.name}: chunks with the carried context give one long sequence's outputs (bit for bit for the convs)`, async () => {
    const rnn = await init(backend);
    const d = 6, T = 13;
    const convs = new rnn.Sequential([new rnn.CausalConv1d({ channels: d, kernelSize: 4, seed: 3 }), new rnn.CausalConv1d({ channels: d, kernelSize: 3, seed: 5 })]);
    const block = new rnn.Sequential([
      new rnn.Residual([new rnn.LayerNorm({ normalizedShape: d }), new rnn.CausalConv1d({ channels: d, kernelSize: 4, seed: 3 }),
        new rnn.MinGRU({ inputSize: d, hiddenSize: d, batchFirst: true, seed: 4 })]),
      new rnn.CausalConv1d({ channels: d, kernelSize: 3, seed: 5 }),
    ]);
    const x = randTensor([2, T, d], lcg(7), 1);
    for (const [model, exact] of [[convs, true], [block, false]]) {
      const whole = model.forward(x).data;
      for (const cuts of [[5, 13], [1, 2, 3, 13], Array.from({ length: T }, (_, i) => i + 1)]) {
        let state = null, at = 0;
        const got = new Float32Array(whole.length);
        for (const end of cuts) {
          const n = end - at, part = new Float32Array(2 * n * d);
          for (let b = 0; b < 2; b++) part.set(x.data.subarray((b * T + at) * d, (b * T + end) * d), b * n * d);
          const y = model.forward({ shape: [2, n, d], data: part }, { state }).data;
          for (let b = 0; b < 2; b++) got.set(y.subarray(b * n * d, (b + 1) * n * d), (b * T + at) * d);
          state = model.state;
          at = end;
        }
        if (exact) assert.deepEqual(got, whole, `chunks ending at ${cuts}`);
        else assertClose({ shape: [got.length], data: got }, { shape: [whole.length], data: [...whole] }, { atol: 1e-6, what: `chunks ending at ${cuts}` });
      }
      model.dispose();
    }
  });
}

test('CausalConv1d: the SIMD and scalar builds give the same bits (23 channels: a tail after the 4-wide loop)', async () => {
  const out = [];
  for (const backend of BACKENDS) {
    const rnn = await init(backend);
    const conv = new rnn.CausalConv1d({ channels: 23, kernelSize: 5, seed: 11 });
    const x = randTensor([3, 9, 23], lcg(2), 1), dy = randTensor([3, 9, 23], lcg(3), 1);
    const y = conv.forward(x, { lengths: [9, 4, 1], state: { context: randTensor([3, 4, 23], lcg(4), 1) } });
    const { dx } = conv.backward({ dOutput: dy });
    out.push({ y: y.data, dx: dx.data, g: conv.grads(), ctx: conv.state.context.data });
    conv.dispose();
  }
  assert.deepEqual(out[0], out[1]);
});

test('CausalConv1d: steps past a length give 0, the next context is the last k - 1 inputs up to each length', async () => {
  const rnn = await init();
  const conv = new rnn.CausalConv1d({ channels: 2, kernelSize: 3, seed: 1 });
  const x = { shape: [2, 4, 2], data: Float32Array.from({ length: 16 }, (_, i) => i + 1) };
  const ctx = { shape: [2, 2, 2], data: Float32Array.from({ length: 8 }, (_, i) => -(i + 1)) };
  const y = conv.forward(x, { lengths: [4, 1], state: { context: ctx } });
  assert.deepEqual([...y.data.subarray(10, 16)], [0, 0, 0, 0, 0, 0], 'sequence 1 past step 0');
  // sequence 0 ends at step 3: inputs 2 and 3; sequence 1 ends at step 0: the context's last row, then its input 0
  assert.deepEqual([...conv.state.context.data], [5, 6, 7, 8, -7, -8, 9, 10]);
  conv.dispose();
});

test('CausalConv1d: specs rebuild it with the same weights; parameters() reach Adam', async () => {
  const rnn = await init();
  const model = new rnn.Sequential([new rnn.CausalConv1d({ channels: 5, kernelSize: 4, bias: false, seed: 9 })]);
  const spec = modelSpec(model);
  assert.deepEqual(spec.layers[0], { type: 'CausalConv1d', channels: 5, kernelSize: 4, bias: false, seed: 9 });
  const copy = buildModel(rnn, JSON.parse(JSON.stringify(spec)));
  assert.deepEqual(copy.stateDict(), model.stateDict());
  assert.deepEqual(model.parameters().map((p) => [p.name, p.shape]), [['0.weight', [5, 1, 4]]]);
  const opt = new rnn.Adam(model.parameters(), { lr: 0.1 });
  const x = randTensor([1, 3, 5], lcg(1), 1);
  model.forward(x);
  model.backward({ dOutput: x });
  opt.step();
  assert.notDeepEqual(model.stateDict(), copy.stateDict(), 'a step moved the weights');
  for (const m of [model, copy, opt]) m.dispose();
});

test('CausalConv1d: bad options and input throw typed errors naming the problem, and change nothing', async () => {
  const rnn = await init();
  throwsCode(() => new rnn.CausalConv1d({ channels: 0, kernelSize: 3 }), 'INVALID_ARGUMENT', /channels/);
  throwsCode(() => new rnn.CausalConv1d({ channels: 4, kernelSize: 257 }), 'INVALID_ARGUMENT', /kernelSize/);
  throwsCode(() => new rnn.CausalConv1d({ channels: 4, kernelSize: 3, padding: 1 }), 'INVALID_ARGUMENT', /padding/);
  const conv = new rnn.CausalConv1d({ channels: 4, kernelSize: 3, seed: 2 });
  const before = conv.stateDict();
  const x = randTensor([2, 5, 4], lcg(1), 1);
  throwsCode(() => conv.backward({ dOutput: x }), 'STATE', /forward first/);
  throwsCode(() => conv.forward(randTensor([2, 5, 3], lcg(1), 1)), 'SHAPE', /\[B, T, 4\]/);
  throwsCode(() => conv.forward(randTensor([10, 4], lcg(1), 1)), 'SHAPE', /\[B, T, 4\]/);
  throwsCode(() => conv.forward(x, { lengths: [5, 6] }), 'INVALID_ARGUMENT', /lengths\[1\]/);
  throwsCode(() => conv.forward(x, { lengths: [5] }), 'SHAPE', /lengths has 1/);
  throwsCode(() => conv.forward(x, { state: { context: randTensor([2, 3, 4], lcg(1), 1) } }), 'SHAPE', /context/);
  throwsCode(() => conv.forward(x, { h0: null }), 'INVALID_ARGUMENT', /h0/);
  throwsCode(() => conv.loadStateDict({ weight: randTensor([4, 3], lcg(1), 1), bias: randTensor([4], lcg(1), 1) }), 'SHAPE', /weight/);
  assert.deepEqual(conv.stateDict(), before, 'nothing changed');
  conv.forward(x);
  throwsCode(() => conv.backward({ dOutput: randTensor([2, 4, 4], lcg(1), 1) }), 'SHAPE', /dOutput/);
  conv.dispose();
  throwsCode(() => conv.forward(x), 'DISPOSED');
});
