// int8-w4.mjs - the W4 LSTM (H256, B32, T64) of tests/fixtures/int8.json
// (made by make_int8_fixture.py: the same weights and inputs PyTorch's
// quantize_dynamic ran on) in an engine api: its float32 output, then its
// int8 output's max abs error against it. The caller disposes nothing.
import { uniform } from '../../bench/peers/common.mjs';
import { loadFixture } from './util.mjs';

export function w4Int8Error(api) {
  const fx = loadFixture('int8.json');
  const m = new api.LSTM({ inputSize: fx.I, hiddenSize: fx.H }).eval();
  try {
    const sd = m.stateDict();
    for (const [k, seed] of Object.entries(fx.weight_seeds)) sd[k].data = uniform(sd[k].data.length, seed, fx.weight_scale);
    m.loadStateDict(sd);
    const x = { shape: [fx.T, fx.B, fx.I], data: uniform(fx.T * fx.B * fx.I, fx.x_seed, fx.x_scale) };
    const y = m.forward(x).output.data.slice();
    const q = m.quantize().forward(x).output.data;
    let err = 0;
    for (let i = 0; i < y.length; i++) err = Math.max(err, Math.abs(q[i] - y[i]));
    return { fx, floatSum: y.reduce((a, v) => a + v, 0), err };
  } finally {
    m.dispose();
  }
}
