// Optimizers and clipping against torch.optim (tests/fixtures/optim.json,
// computed by PyTorch in float32). The engine follows torch's float32 order
// of operations, so without clipping the parameters must agree to the bit;
// clipping's norm is summed in another order, so there 1e-6 relative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { BACKENDS, assertClose, loadFixture } from './helpers/util.mjs';

const { cases } = loadFixture('optim.json');

function setParam(rnn, module, name, values) {
  const sd = module.stateDict();
  sd[name].data.set(values);
  module.loadStateDict(sd);
}

for (const { simd, name: backend } of BACKENDS) {
  for (const c of cases) {
    test(`${backend}: ${c.name} matches torch.optim over ${c.steps} steps`, async () => {
      const rnn = await init({ simd });
      // Two parameter tensors shaped like the fixture's: [3,4] and [5].
      const m1 = new rnn.RNN({ inputSize: 4, hiddenSize: 3, bias: false, seed: 1 });
      const m2 = new rnn.RNN({ inputSize: 5, hiddenSize: 1, bias: false, seed: 1 });
      const p1 = m1.parameters().find((p) => p.name === 'weight_ih_l0');
      const p2 = m2.parameters().find((p) => p.name === 'weight_ih_l0');
      assert.deepEqual(p1.shape, c.params[0].shape);
      assert.equal(p2.numel, c.params[1].data.length);
      setParam(rnn, m1, 'weight_ih_l0', c.params[0].data);
      setParam(rnn, m2, 'weight_ih_l0', c.params[1].data);
      const params = [p1, p2];
      const o = c.options;
      const Opt = rnn[c.optimizer];
      const opts = c.optimizer === 'SGD'
        ? { lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.weightDecay, nesterov: o.nesterov }
        : { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay, amsgrad: o.amsgrad };
      const opt = new Opt(params, opts);
      try {
        for (let s = 0; s < c.steps; s++) {
          opt.zeroGrad();
          setGrad(rnn, m1, 'weight_ih_l0', c.grads[s][0].data);
          setGrad(rnn, m2, 'weight_ih_l0', c.grads[s][1].data);
          if (c.clip != null) {
            const total = rnn.clipGradNorm(params, c.clip);
            assert.ok(Math.abs(total - c.totalNorm[s]) <= 1e-6 * c.totalNorm[s],
              `step ${s}: total norm ${total} vs torch ${c.totalNorm[s]}`);
          }
          opt.step();
          const tol = c.clip != null ? { rtol: 1e-6 } : { rtol: 0 };
          assertClose(p1.data, c.expected[s][0].data, { ...tol, what: `step ${s + 1} param 0` });
          assertClose(p2.data, c.expected[s][1].data, { ...tol, what: `step ${s + 1} param 1` });
        }
        assert.equal(opt.stepCount, c.steps);
      } finally {
        opt.dispose(); m1.dispose(); m2.dispose();
      }
    });
  }
}

// Gradients normally come from backward; the fixture's are written straight
// into the module's gradient block through its (private) pointer accessor.
function setGrad(rnn, module, name, values) {
  const p = module.parameters().find((q) => q.name === name);
  const core = module._core;
  core.f32(module._gradsPtr() + 4 * p.offset, p.numel).set(values);
}

test('clipGradNorm returns the norm and scales gradients like clip_grad_norm_', async () => {
  const rnn = await init();
  const m = new rnn.LSTM({ inputSize: 3, hiddenSize: 4, seed: 3 });
  try {
    const x = { shape: [5, 2, 3], data: Float32Array.from({ length: 30 }, (_, i) => Math.cos(i)) };
    const { output } = m.forward(x);
    m.backward({ dOutput: { shape: output.shape, data: output.data.map(() => 10) } });
    const params = m.parameters();
    const before = params.map((p) => p.grad);
    let sq = 0;
    for (const g of before) for (const v of g) sq += v * v;
    const norm = Math.sqrt(sq);
    const total = rnn.clipGradNorm(params, 0.5);
    assert.ok(Math.abs(total - norm) <= 1e-5 * norm, `${total} vs ${norm}`);
    let sq2 = 0;
    for (const p of params) for (const v of p.grad) sq2 += v * v;
    assert.ok(Math.abs(Math.sqrt(sq2) - 0.5) < 1e-5, `clipped norm ${Math.sqrt(sq2)}`);
    // Below the limit nothing changes.
    const again = params.map((p) => p.grad);
    rnn.clipGradNorm(params, 100);
    params.forEach((p, i) => assert.deepEqual(p.grad, again[i]));
  } finally {
    m.dispose();
  }
});
