// minGRU / minLSTM (src/cell_min.c) against their PyTorch twin
// (tools/min_rnn.py; fixtures from tests/fixtures/make_min_fixtures.py) on
// both builds: forward within 2e-5, gradients within 1e-4 of the largest
// value. Then what the scan promises: streams step what forward computes,
// T = 4096 stays finite, and the chunked scan gives the same bits on two
// threads as on one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildModel, init, modelSpec } from '../dist/index.js';
import { BACKENDS, addingBatches, addingRegressor, assertClose, loadFixture, t32 } from './helpers/util.mjs';

const { cases } = loadFixture('min_cells.json');

function makeLayer(rnn, c) {
  return new rnn[c.mode]({
    inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers,
    bidirectional: c.bidirectional, bias: c.bias, batchFirst: c.batchFirst, logSpace: c.logSpace, seed: 0,
  });
}

async function check(simd, c) {
  const rnn = await init({ simd });
  const layer = makeLayer(rnn, c);
  try {
    layer.loadStateDict(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, t32(v)])));
    const out = layer.forward(t32(c.x), { h0: t32(c.h0), lengths: c.lengths });
    assertClose(out.output, c.output, { atol: 2e-5, what: 'output' });
    assertClose(out.hN, c.hN, { atol: 2e-5, what: 'hN' });
    const g = layer.backward({ dOutput: t32(c.dOutput), dhN: t32(c.dhN) });
    const tol = (what) => ({ rtol: 1e-4, atol: 1e-7, what });
    assertClose(g.dx, c.grads.x, tol('dx'));
    assertClose(g.dh0, c.grads.h0, tol('dh0'));
    const grads = layer.grads();
    assert.deepEqual(Object.keys(grads), Object.keys(c.params), 'state_dict names and order');
    for (const k of Object.keys(c.params)) assertClose(grads[k], c.grads[k], tol(`grad ${k}`));
  } finally {
    layer.dispose();
  }
}

for (const { simd, name: backend } of BACKENDS) {
  test(`${backend}: ${cases.length} minGRU / minLSTM configurations match PyTorch (tools/min_rnn.py)`, async (t) => {
    for (const c of cases) await t.test(c.name, () => check(simd, c));
  });
}

function randn(n, seed) {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

test('a stream steps what forward computes (batch 1 and 3), with the taps z / f, i, htilde, h', async () => {
  const rnn = await init();
  for (const mode of ['MinGRU', 'MinLSTM']) {
    for (const [logSpace, B] of [[false, 3], [true, 3], [false, 1], [true, 1]]) { // batch 1: single-row products
      const [T, I, H] = [9, 5, 7];
      const m = new rnn[mode]({ inputSize: I, hiddenSize: H, numLayers: 2, logSpace, seed: 3 });
      m.eval();
      const x = { shape: [T, B, I], data: randn(T * B * I, 1) };
      const want = m.forward(x, { taps: true });
      const s = m.stream({ batch: B, taps: true });
      for (let t = 0; t < T; t++) {
        const y = s.step(x.data.subarray(t * B * I, (t + 1) * B * I));
        assertClose(y, want.output.data.subarray(t * B * H, (t + 1) * B * H), { atol: 1e-6, what: `${mode} step ${t}` });
        const taps = s.taps();
        for (const k of Object.keys(want.taps[1])) {
          assertClose(taps[1][k], want.taps[1][k].data.subarray(t * B * H, (t + 1) * B * H), { atol: 1e-6, what: `${mode} tap ${k} at ${t}` });
        }
      }
      assert.deepEqual(Object.keys(want.taps[0]), mode === 'MinGRU' ? ['z', 'htilde', 'h'] : ['f', 'i', 'htilde', 'h']);
      s.dispose();
      m.dispose();
    }
  }
});

test('T = 4096: outputs and gradients stay finite and bounded in both forms (h is a convex combination)', async () => {
  const rnn = await init();
  for (const mode of ['MinGRU', 'MinLSTM']) {
    for (const logSpace of [false, true]) {
      const [T, B, I, H] = [4096, 2, 4, 8];
      const m = new rnn[mode]({ inputSize: I, hiddenSize: H, numLayers: 2, logSpace, seed: 5 });
      const x = { shape: [T, B, I], data: randn(T * B * I, 2).map((v) => 3 * v) };
      const { output } = m.forward(x);
      const dOutput = { shape: output.shape, data: new Float32Array(output.data.length).fill(1) };
      const { dx } = m.backward({ dOutput });
      assert.ok(output.data.every(Number.isFinite) && dx.data.every(Number.isFinite), `${mode} logSpace=${logSpace}`);
      const bound = Math.max(...output.data.map(Math.abs));
      assert.ok(bound < 50, `${mode}: |h| <= ${bound}`);
      if (logSpace) assert.ok(output.data.every((v) => v >= 0), 'log space: h >= 0 from h0 = 0');
      for (const g of Object.values(m.grads())) assert.ok(g.data.every(Number.isFinite));
      m.dispose();
    }
  }
});

test('threads: 2 splits the scan over time chunks and gives the one-thread bits', { timeout: 120_000 }, async () => {
  const one = await init();
  const two = await init({ threads: 2 });
  const run = (rnn, mode, logSpace) => {
    const [T, B, I, H] = [700, 4, 8, 64];
    const m = new rnn[mode]({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, logSpace, seed: 9 });
    const x = { shape: [T, B, I], data: randn(T * B * I, 4) };
    const lengths = [700, 333, 64, 1];
    const before = rnn.threadStats?.().splitCalls ?? 0;
    let f;
    for (let k = 0; k < 3; k++) { // helpers wake on the first calls
      f = m.forward(x, { lengths });
      if (k < 2) m.backward({ dOutput: { shape: f.output.shape, data: randn(f.output.data.length, 5) } });
    }
    const g = m.backward({ dOutput: { shape: f.output.shape, data: randn(f.output.data.length, 5) }, dhN: { shape: f.hN.shape, data: randn(f.hN.data.length, 6) } });
    const split = (rnn.threadStats?.().splitCalls ?? 0) - before;
    const res = { out: f.output.data, hN: f.hN.data, dx: g.dx.data, dh0: g.dh0.data, ...Object.fromEntries(Object.entries(m.grads()).map(([k, v]) => [k, v.data])) };
    m.dispose();
    return { res, split };
  };
  for (const mode of ['MinGRU', 'MinLSTM']) {
    for (const logSpace of [false, true]) {
      const a = run(one, mode, logSpace), b = run(two, mode, logSpace);
      assert.ok(b.split > 0, `${mode}: nothing ran split over the helper`);
      for (const k of Object.keys(a.res)) assert.deepEqual(b.res[k], a.res[k], `${mode} logSpace=${logSpace}: ${k} differs between 1 and 2 threads`);
    }
  }
});

test('modelSpec / buildModel, safetensors, checkpoints and the Trainer worker take the min cells (dropout between layers too)', async () => {
  const rnn = await init();
  const OPTS = { epochs: 2, loss: 'mse', optimizer: { type: 'adam', lr: 1e-2 }, clipGradNorm: 1, seed: 3 };
  const train = addingBatches(20, 16, 10, 1), val = addingBatches(2, 32, 10, 2);
  for (const cell of ['MinGRU', 'MinLSTM']) {
    const model = addingRegressor(rnn, cell, 4, 0.25); // two layers with dropout between them
    const spec = modelSpec(model);
    assert.equal(spec.layers[0].type, cell);
    assert.equal(spec.layers[0].logSpace, false);
    const copy = buildModel(rnn, JSON.parse(JSON.stringify(spec)));
    assert.deepEqual(copy.stateDict(), model.stateDict(), 'same seeds, same weights');
    const sd = rnn.safetensors.parse(rnn.safetensors.serialize(model.stateDict()));
    assert.deepEqual(Object.keys(sd).sort(), Object.keys(model.stateDict()).sort());
    const { stateDict } = await rnn.createTrainer({ model, train, val, ...OPTS }).done;
    await rnn.fit(copy, { train, val, ...OPTS });
    assert.deepEqual(stateDict, copy.stateDict(), `${cell}: the worker's weights equal rnn.fit's bit for bit`);
    const opt = new rnn.Adam(copy.parameters(), { lr: 1e-3 });
    const bytes = rnn.saveCheckpoint({ model: copy, optimizer: opt });
    const back = addingRegressor(rnn, cell, 9, 0.25);
    const opt2 = new rnn.Adam(back.parameters(), { lr: 1e-3 });
    rnn.loadCheckpoint(bytes, { model: back, optimizer: opt2 });
    assert.deepEqual(back.stateDict(), copy.stateDict());
    for (const m of [model, copy, back]) m.dispose();
    opt.dispose(); opt2.dispose();
  }
});
