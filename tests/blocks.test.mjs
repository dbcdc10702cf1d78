// LayerNorm, ReLU, GELU and Residual (the pre-norm residual blocks of Feng et
// al.'s min-cell stacks): finite differences against backward, the values
// PyTorch's formulas give, nested state for truncated BPTT, specs and errors.
// PyTorch parity of the same layers and the whole block stack: tests/torch-spec.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, buildModel, modelSpec } from '../dist/index.js';
import { BACKENDS, addingBatches, assertClose, lcg, loadFixture, maxAbs, randTensor, t32, throwsCode } from './helpers/util.mjs';

const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);

// Central differences of sum(forward(x) * w) against backward, for x and every parameter.
function gradcheck(model, x, { EPS = 1e-2, every = 1, forward = (m, v) => m.forward(v) } = {}) {
  const w = randTensor(forward(model, x).shape, lcg(5), 1);
  const loss = () => dot(forward(model, x).data, w.data);
  model.zeroGrad?.(); // ReLU and GELU have no parameters
  forward(model, x);
  const r = model.backward({ dOutput: w });
  const grads = model.grads?.() ?? {};
  const check = (what, analytic, perturb) => {
    const scale = Math.max(maxAbs(analytic), 1e-3);
    for (let i = 0; i < analytic.length; i += every) {
      perturb(i, +EPS); const lp = loss();
      perturb(i, -2 * EPS); const lm = loss();
      perturb(i, +EPS);
      const fd = (lp - lm) / (2 * EPS);
      assert.ok(Math.abs(fd - analytic[i]) <= 2e-3 * scale + 2e-4, `${what}[${i}]: backward ${analytic[i]} vs finite difference ${fd}`);
    }
  };
  check('dx', r.dx.data, (i, d) => { x.data[i] += d; });
  const sd = model.stateDict?.() ?? {};
  for (const name of Object.keys(sd)) {
    check(`grad ${name}`, grads[name].data, (i, d) => { sd[name].data[i] += d; model.loadStateDict(sd); });
  }
}

for (const backend of BACKENDS) {
  test(`finite differences agree with LayerNorm, GELU, ReLU and a Residual block stack (${backend.name})`, async () => {
    const rnn = await init(backend);
    const ln = new rnn.LayerNorm({ normalizedShape: 6 });
    const sd = ln.stateDict(); // weights away from ones / zeros, so every term counts
    sd.weight.data.set(randTensor([6], lcg(3), 1).data);
    sd.bias.data.set(randTensor([6], lcg(4), 1).data);
    ln.loadStateDict(sd);
    gradcheck(ln, randTensor([2, 3, 6], lcg(1), 2));
    ln.dispose();
    for (const Act of [rnn.GELU, rnn.ReLU]) {
      const a = new Act();
      // away from ReLU's kink at 0
      const x = randTensor([4, 5], lcg(2), 3);
      for (let i = 0; i < x.data.length; i++) if (Math.abs(x.data[i]) < 0.05) x.data[i] = 0.3;
      gradcheck(a, x);
      a.dispose();
    }
    const d = 4;
    const block = new rnn.Sequential([
      new rnn.Residual([new rnn.LayerNorm({ normalizedShape: d }), new rnn.MinGRU({ inputSize: d, hiddenSize: d, batchFirst: true, seed: 1 })]),
      new rnn.Residual([new rnn.LayerNorm({ normalizedShape: d }), new rnn.Linear({ inFeatures: d, outFeatures: 8, seed: 2 }),
        new rnn.GELU(), new rnn.Linear({ inFeatures: 8, outFeatures: d, seed: 3 })]),
      new rnn.LayerNorm({ normalizedShape: d }),
    ]);
    gradcheck(block, randTensor([2, 3, d], lcg(6), 1.5), { every: 2 });
    block.dispose();
  });
}

// src/layernorm.c sums rows in 4 lanes, SIMD128 or scalar in the same order: the builds agree to the bit.
test('LayerNorm: the SIMD and scalar builds give the same bits (rows of 130: a tail after the 4-wide loop)', async () => {
  const runs = [];
  for (const backend of BACKENDS) {
    const rnn = await init(backend);
    const ln = new rnn.LayerNorm({ normalizedShape: 130 });
    ln.loadStateDict({ weight: randTensor([130], lcg(8), 1), bias: randTensor([130], lcg(9), 1) });
    const y = ln.forward(randTensor([7, 130], lcg(10), 3)).data;
    const dx = ln.backward({ dOutput: randTensor([7, 130], lcg(11), 1) }).dx.data;
    const g = Object.values(ln.grads()).map((t) => t.data);
    runs.push({ y, dx, g });
    ln.dispose();
  }
  const [a, b] = runs;
  assert.deepEqual(new Uint32Array(a.y.buffer), new Uint32Array(b.y.buffer), 'forward');
  assert.deepEqual(new Uint32Array(a.dx.buffer), new Uint32Array(b.dx.buffer), 'dx');
  a.g.forEach((v, i) => assert.deepEqual(new Uint32Array(v.buffer), new Uint32Array(b.g[i].buffer), `gradient ${i}`));
});

test('LayerNorm, GELU and ReLU give the values of PyTorch\'s formulas', async () => {
  const rnn = await init();
  const ln = new rnn.LayerNorm({ normalizedShape: [4], eps: 1e-5 });
  const x = [1, 2, 3, 4, -1, 0, 5, 2];
  const y = ln.forward({ shape: [2, 4], data: Float32Array.from(x) }).data;
  for (let r = 0; r < 2; r++) {
    const row = x.slice(4 * r, 4 * r + 4), mean = row.reduce((s, v) => s + v) / 4;
    const v = row.reduce((s, u) => s + (u - mean) ** 2, 0) / 4;
    row.forEach((u, i) => assert.ok(Math.abs(y[4 * r + i] - (u - mean) / Math.sqrt(v + 1e-5)) < 1e-6));
  }
  assert.deepEqual(Object.keys(ln.stateDict()), ['weight', 'bias']);
  assert.deepEqual([...ln.stateDict().bias.data], [0, 0, 0, 0], "bias starts at zeros");
  assert.equal(ln.numParams, 8);
  // GELU(x) = x Phi(x): Phi(1) = 0.8413447460685429, Phi(-2) = 0.022750131948179195
  const g = new rnn.GELU().forward({ shape: [3], data: Float32Array.of(1, -2, 0) }).data;
  assert.ok(Math.abs(g[0] - 0.8413447460685429) < 3e-7 && Math.abs(g[1] + 2 * 0.022750131948179195) < 3e-7 && g[2] === 0);
  // no subnormal is born: GELU(-13) = -13 Phi(-13) ~ -8e-38 flushes to -0
  const tiny = new rnn.GELU().forward({ shape: [2], data: Float32Array.of(-13, -12.9) }).data;
  for (const v of tiny) assert.ok(v === 0 || Math.abs(v) >= 1.1754943508222875e-38, `GELU gave a subnormal ${v}`);
  assert.deepEqual([...new rnn.ReLU().forward({ shape: [3], data: Float32Array.of(-1, 0, 2) }).data], [0, 0, 2]);
  ln.dispose();
});

test('Residual stacks carry the recurrent state through nested Sequentials (truncated BPTT gives the whole sequence\'s outputs)', async () => {
  const rnn = await init();
  const d = 4, V = 7;
  const make = () => new rnn.Sequential([
    new rnn.Embedding({ numEmbeddings: V, embeddingDim: d, seed: 1 }),
    new rnn.Residual([new rnn.LayerNorm({ normalizedShape: d }), new rnn.MinLSTM({ inputSize: d, hiddenSize: d, batchFirst: true, seed: 2 })]),
    new rnn.Residual([new rnn.LayerNorm({ normalizedShape: d }), new rnn.MinGRU({ inputSize: d, hiddenSize: d, batchFirst: true, seed: 3 })]),
    new rnn.Linear({ inFeatures: d, outFeatures: V, seed: 4 }),
  ]);
  const m = make();
  const ids = Int32Array.from({ length: 2 * 6 }, (_, i) => (i * 5 + 1) % V);
  const whole = m.forward({ shape: [2, 6], data: ids }).data;
  const part = (t0) => Int32Array.from({ length: 6 }, (_, i) => ids[Math.floor(i / 3) * 6 + t0 + (i % 3)]);
  const a = m.forward({ shape: [2, 3], data: part(0) });
  assert.ok(m.state[1][1].hN && m.state[2][1].hN, 'model.state nests the blocks\' states');
  const b = m.forward({ shape: [2, 3], data: part(3) }, { state: m.state });
  for (let bi = 0; bi < 2; bi++) {
    for (let t = 0; t < 6; t++) {
      const got = (t < 3 ? a : b).data.subarray((bi * 3 + (t % 3)) * V, (bi * 3 + (t % 3) + 1) * V);
      const want = whole.subarray((bi * 6 + t) * V, (bi * 6 + t + 1) * V);
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `b ${bi} t ${t}: ${v} vs ${want[i]}`));
    }
  }
  // the spec rebuilds the same architecture and names; the weights move over
  const spec = modelSpec(m);
  assert.equal(spec.layers[1].type, 'Residual');
  assert.deepEqual(spec.layers[1].layers[0], { type: 'LayerNorm', normalizedShape: d, eps: 1e-5 });
  const copy = buildModel(rnn, JSON.parse(JSON.stringify(spec)));
  assert.deepEqual(Object.keys(copy.stateDict()), Object.keys(m.stateDict()));
  assert.ok(Object.keys(m.stateDict()).includes('1.0.weight') && Object.keys(m.stateDict()).includes('2.1.weight_ih_l0'));
  assert.equal(copy.numParams, m.numParams);
  copy.loadStateDict(m.stateDict());
  assert.deepEqual(copy.forward({ shape: [2, 6], data: ids }).data, whole);
  m.dispose();
  copy.dispose();
});

// Residual adds into its layers' fresh output; its input and the gradient it is given stay as they were,
// also when a layer hands back its input (the sum is then a new array).
test('Residual leaves its input and dOutput unchanged, also around a layer that returns its input', async () => {
  const rnn = await init();
  const identity = { forward: (x) => x, backward: (g) => ({ dx: g.dOutput }), numParams: 0, train() {}, eval() {}, dispose() {} };
  const x = randTensor([2, 3, 4], lcg(12), 1), dy = randTensor([2, 3, 4], lcg(13), 1);
  const x0 = Float32Array.from(x.data), dy0 = Float32Array.from(dy.data);
  const twice = new rnn.Residual([identity]);
  assert.deepEqual([...twice.forward(x).data], [...x0].map((v) => Math.fround(2 * v)));
  assert.deepEqual([...twice.backward({ dOutput: dy }).dx.data], [...dy0].map((v) => Math.fround(2 * v)));
  assert.deepEqual([x.data, dy.data], [x0, dy0], 'x and dOutput around the identity');
  const block = new rnn.Residual([new rnn.LayerNorm({ normalizedShape: 4 }), new rnn.MinGRU({ inputSize: 4, hiddenSize: 4, batchFirst: true, seed: 3 })]);
  block.forward(x);
  block.backward({ dOutput: dy });
  assert.deepEqual(x.data, x0, 'x');
  assert.deepEqual(dy.data, dy0, 'dOutput');
  block.dispose();
});

test('LayerNorm, activations and Residual refuse bad options and shapes with typed errors', async () => {
  const rnn = await init();
  throwsCode(() => new rnn.LayerNorm({}), 'INVALID_ARGUMENT', /normalizedShape/);
  throwsCode(() => new rnn.LayerNorm({ normalizedShape: [2, 3] }), 'INVALID_ARGUMENT', /normalizedShape/);
  throwsCode(() => new rnn.LayerNorm({ normalizedShape: 4, eps: 0 }), 'INVALID_ARGUMENT', /eps/);
  throwsCode(() => new rnn.LayerNorm({ normalizedShape: 4, elementwiseAffine: false }), 'INVALID_ARGUMENT', /elementwiseAffine/);
  throwsCode(() => new rnn.GELU({ approximate: 'tanh' }), 'INVALID_ARGUMENT', /approximate/);
  const ln = new rnn.LayerNorm({ normalizedShape: 4 });
  throwsCode(() => ln.forward({ shape: [2, 3], data: new Float32Array(6) }), 'SHAPE', /\[\.\.\., 4\]/);
  throwsCode(() => ln.backward({ dOutput: { shape: [1, 4], data: new Float32Array(4) } }), 'STATE', /forward first/);
  const r = new rnn.Residual([new rnn.Linear({ inFeatures: 4, outFeatures: 3 })]);
  throwsCode(() => r.forward({ shape: [2, 4], data: new Float32Array(8) }), 'SHAPE', /Residual/);
  r.dispose();
  ln.dispose();
  throwsCode(() => ln.forward({ shape: [1, 4], data: new Float32Array(4) }), 'DISPOSED');
});

test('the Trainer worker, fit, checkpoints and safetensors take block stacks (Residual, LayerNorm, GELU, ReLU, Dropout)', async () => {
  const rnn = await init();
  const d = 8;
  const make = (seed) => new rnn.Sequential([
    new rnn.Linear({ inFeatures: 2, outFeatures: d, seed }),
    new rnn.Residual([new rnn.LayerNorm({ normalizedShape: d }), new rnn.MinGRU({ inputSize: d, hiddenSize: d, batchFirst: true, seed: seed + 1 })]),
    new rnn.Residual([new rnn.LayerNorm({ normalizedShape: d }), new rnn.Linear({ inFeatures: d, outFeatures: 2 * d, seed: seed + 2 }),
      new rnn.GELU(), new rnn.Dropout({ p: 0.1, seed: seed + 3 }), new rnn.Linear({ inFeatures: 2 * d, outFeatures: d, seed: seed + 4 }), new rnn.ReLU()]),
    new rnn.LayerNorm({ normalizedShape: d, eps: 1e-4 }),
    new rnn.Pool({ mode: 'last' }),
    new rnn.Linear({ inFeatures: d, outFeatures: 1, seed: seed + 5 }),
  ]);
  const OPTS = { epochs: 2, loss: 'mse', optimizer: { type: 'adam', lr: 1e-2 }, clipGradNorm: 1, seed: 3 };
  const train = addingBatches(10, 16, 10, 1), val = addingBatches(2, 32, 10, 2);
  const model = make(1);
  const lin = (i, o) => i * o + o, ln = 2 * d;
  assert.equal(model.numParams, lin(2, d) + ln + (2 * d * d + 2 * d) + ln + lin(d, 2 * d) + lin(2 * d, d) + ln + lin(d, 1));
  const copy = buildModel(rnn, JSON.parse(JSON.stringify(modelSpec(model))));
  assert.deepEqual(copy.stateDict(), model.stateDict(), 'same seeds, same weights');
  const { stateDict, history } = await rnn.createTrainer({ model, train, val, ...OPTS }).done;
  await rnn.fit(copy, { train, val, ...OPTS });
  assert.deepEqual(stateDict, copy.stateDict(), 'the worker\'s weights equal rnn.fit\'s bit for bit');
  assert.ok(history.epochs.every((e) => Number.isFinite(e.loss) && Number.isFinite(e.valLoss)));
  const sd = rnn.safetensors.parse(rnn.safetensors.serialize(copy.stateDict()));
  const back = make(9);
  back.loadStateDict(sd);
  const opt = new rnn.Adam(copy.parameters(), { lr: 1e-3 }), opt2 = new rnn.Adam(back.parameters(), { lr: 1e-3 });
  rnn.loadCheckpoint(rnn.saveCheckpoint({ model: copy, optimizer: opt }), { model: back, optimizer: opt2 });
  assert.deepEqual(back.stateDict(), copy.stateDict());
  assert.deepEqual(back.layers[2].layers[3].rngState, copy.layers[2].layers[3].rngState, 'the nested Dropout\'s generator');
  for (const m of [model, copy, back]) m.dispose();
  opt.dispose(); opt2.dispose();
});

// tools/min_rnn.py's MinLM, the paper's LM, in float64 (tests/fixtures/make_min_fixtures.py -> min_lm.json)
function minLM(rnn, c) {
  const d = c.dModel, layers = [new rnn.Embedding({ numEmbeddings: c.vocab, embeddingDim: d })];
  for (let k = 0; k < c.blocks; k++) {
    layers.push(new rnn.Residual([new rnn.LayerNorm({ normalizedShape: d }),
      ...(c.conv ? [new rnn.CausalConv1d({ channels: d, kernelSize: c.conv })] : []),
      new rnn[c.cell]({ inputSize: d, hiddenSize: d, batchFirst: true })]));
    if (c.mlp) {
      layers.push(new rnn.Residual([new rnn.LayerNorm({ normalizedShape: d }), new rnn.Linear({ inFeatures: d, outFeatures: c.mlp * d }),
        new rnn[c.act](), new rnn.Linear({ inFeatures: c.mlp * d, outFeatures: d })]));
    }
  }
  layers.push(new rnn.LayerNorm({ normalizedShape: d }), new rnn.Linear({ inFeatures: d, outFeatures: c.vocab }));
  return new rnn.Sequential(layers);
}

for (const backend of BACKENDS) {
  test(`${backend.name}: block stacks match tools/min_rnn.py's MinLM (logits, carried states, every gradient)`, async (t) => {
    const rnn = await init(backend);
    for (const c of loadFixture('min_lm.json').cases) {
      await t.test(c.name, () => {
        const m = minLM(rnn, c);
        try {
          assert.deepEqual(Object.keys(m.stateDict()), Object.keys(c.params), 'state_dict names and order');
          m.loadStateDict(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, t32(v)])));
          const at = c.conv ? 2 : 1; // the cell's place in its block (after the LayerNorm and the conv)
          const cellAt = m.layers.flatMap((l, i) => (l instanceof rnn.Residual && l.layers[at]?.hiddenSize ? [i] : []));
          const state = Object.fromEntries(cellAt.map((i, k) => [i, { [at]: { hN: t32(c.h0[k]) }, ...(c.conv ? { 1: { context: t32(c.context0[k]) } } : {}) }]));
          const logits = m.forward({ shape: c.ids.shape, data: Int32Array.from(c.ids.data) }, { state });
          assertClose(logits, c.logits, { atol: 2e-5, what: 'logits' });
          cellAt.forEach((i, k) => assertClose(m.state[i][at].hN, c.hN[k], { atol: 2e-5, what: `hN of block ${k}` }));
          if (c.conv) cellAt.forEach((i, k) => assertClose(m.state[i][1].context, c.contextN[k], { atol: 1e-6, what: `context of block ${k}` }));
          m.zeroGrad();
          m.backward(t32(c.dOutput));
          const grads = m.grads();
          for (const k of Object.keys(c.params)) assertClose(grads[k], c.grads[k], { rtol: 1e-4, atol: 1e-6, what: `grad ${k}` });
        } finally {
          m.dispose();
        }
      });
    }
  });
}
