// Forward and BPTT of every cell against golden fixtures made by PyTorch:
// cells.json (tests/fixtures/make_fixtures.py) on both the SIMD128 and the
// scalar build, and grid.json (make_grid_fixtures.py: cell x numLayers x
// bidirectional x batchFirst x packed lengths x bias x projSize) on the SIMD
// build, and variants.json (make_variant_fixtures.py: the GRU with the reset
// gate before the product and the hard-sigmoid gates, which torch.nn lacks,
// from tools/torch_twins.py's float64 autograd twin) on both builds.
// Forward within 2e-5, gradients within 1e-4 of the largest value.
import { test } from 'node:test';
import { init } from '../dist/index.js';
import { BACKENDS, assertClose, loadFixture, t32 } from './helpers/util.mjs';

const { cases } = loadFixture('cells.json');
const grid = loadFixture('grid.json').cases;
const variants = loadFixture('variants.json').cases;

function makeLayer(rnn, c) {
  const opts = {
    inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers,
    bidirectional: c.bidirectional, bias: c.bias, batchFirst: c.batchFirst, seed: 0,
  };
  if (c.gateActivation) opts.gateActivation = c.gateActivation;
  if (c.mode === 'LSTM') return new rnn.LSTM({ ...opts, projSize: c.projSize ?? 0 });
  if (c.mode === 'GRU') return new rnn.GRU({ ...opts, resetAfter: c.resetAfter ?? true });
  return new rnn.RNN({ ...opts, nonlinearity: c.mode === 'RNN_RELU' ? 'relu' : 'tanh' });
}

async function check(simd, c) {
  const rnn = await init({ simd });
  const layer = makeLayer(rnn, c);
  try {
    const params = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, t32(v)]));
    layer.loadStateDict(params);
    const state = {};
    if (c.h0) state.h0 = t32(c.h0);
    if (c.c0) state.c0 = t32(c.c0);
    if (c.lengths) state.lengths = c.lengths;
    const out = layer.forward(t32(c.x), state);
    assertClose(out.output, c.output, { atol: 2e-5, what: 'output' });
    assertClose(out.hN, c.hN, { atol: 2e-5, what: 'hN' });
    if (c.cN) assertClose(out.cN, c.cN, { atol: 2e-5, what: 'cN' });

    const g = layer.backward({ dOutput: t32(c.dOutput), dhN: t32(c.dhN), dcN: t32(c.dcN) });
    const tol = (what) => ({ rtol: 1e-4, atol: 1e-7, what });
    assertClose(g.dx, c.grads.x, tol('dx'));
    assertClose(g.dh0, c.grads.h0, tol('dh0'));
    if (c.grads.c0) assertClose(g.dc0, c.grads.c0, tol('dc0'));
    const grads = layer.grads();
    for (const k of Object.keys(c.params)) assertClose(grads[k], c.grads[k], tol(`grad ${k}`));
  } finally {
    layer.dispose();
  }
}

for (const { simd, name: backend } of BACKENDS) {
  for (const c of cases) {
    test(`${backend}: ${c.name} forward and backward match PyTorch`, () => check(simd, c));
  }
  test(`${backend}: ${variants.length} cell variants (reset before, hard sigmoids) match their PyTorch twin`, async (t) => {
    for (const c of variants) await t.test(c.name, () => check(simd, c));
  });
}

test(`grid of ${grid.length} PyTorch configurations: forward and backward match`, async (t) => {
  for (const c of grid) await t.test(c.name, () => check(true, c));
});
