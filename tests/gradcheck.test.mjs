// Finite-difference gradient checks (kann's kad_check_grad idea): for every
// cell and variant (reset before, hard sigmoid gates), stacked and bidirectional, d loss / d (x, h0, c0, every parameter)
// from BPTT agrees with central differences of the forward pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { lcg, maxAbs, randTensor } from './helpers/util.mjs';

const CONFIGS = [
  { cls: 'RNN', opts: { nonlinearity: 'tanh' } },
  { cls: 'RNN', opts: { nonlinearity: 'relu' } },
  { cls: 'LSTM', opts: {} },
  { cls: 'GRU', opts: {} },
  { cls: 'LSTM', opts: { numLayers: 2, bidirectional: true } },
  { cls: 'GRU', opts: { numLayers: 2, bidirectional: true, batchFirst: true } },
  { cls: 'RNN', opts: { numLayers: 2, bidirectional: true, bias: false } },
  { cls: 'GRU', opts: { resetAfter: false } },
  { cls: 'GRU', opts: { resetAfter: false, numLayers: 2, bidirectional: true } },
  { cls: 'GRU', opts: { resetAfter: false, gateActivation: 'hardSigmoid' } },
  { cls: 'GRU', opts: { gateActivation: 'hardSigmoidKeras3' } },
  { cls: 'LSTM', opts: { gateActivation: 'hardSigmoid', bidirectional: true } },
  { cls: 'LSTM', opts: { gateActivation: 'hardSigmoidKeras3', numLayers: 2 } },
];

const T = 4, B = 3, I = 3, H = 5, EPS = 1e-2, PROBES = 5;

for (const cfg of CONFIGS) {
  const label = `${cfg.cls} ${JSON.stringify(cfg.opts)}`;
  test(`finite differences agree with backward: ${label}`, async () => {
    const rnn = await init();
    const layer = new rnn[cfg.cls]({ inputSize: I, hiddenSize: H, seed: 11, ...cfg.opts });
    try {
      const rnd = lcg(5);
      const D = layer.numDirections, L = layer.numLayers;
      const x = randTensor(layer.batchFirst ? [B, T, I] : [T, B, I], rnd, 1);
      const h0 = randTensor([L * D, B, H], rnd, 0.5);
      const c0 = layer.isLSTM ? randTensor([L * D, B, H], rnd, 0.5) : undefined;
      const state = () => (c0 ? { h0, c0 } : { h0 });
      // loss = sum(output * wy) + sum(hN * wh) + sum(cN * wc)
      const probe = layer.forward(x, state());
      const wy = randTensor(probe.output.shape, rnd, 1);
      const wh = randTensor(probe.hN.shape, rnd, 1);
      const wc = c0 ? randTensor(probe.cN.shape, rnd, 1) : undefined;
      const loss = () => {
        const r = layer.forward(x, state());
        let s = 0;
        r.output.data.forEach((v, i) => { s += v * wy.data[i]; });
        r.hN.data.forEach((v, i) => { s += v * wh.data[i]; });
        if (wc) r.cN.data.forEach((v, i) => { s += v * wc.data[i]; });
        return s;
      };
      layer.zeroGrad();
      layer.forward(x, state());
      const g = layer.backward({ dOutput: wy, dhN: wh, dcN: wc });
      const pgrads = layer.grads();

      const check = (what, analytic, perturb) => {
        const scale = Math.max(maxAbs(analytic), 1e-3);
        for (let k = 0; k < PROBES; k++) {
          const i = Math.floor((rnd() + 0.5) * analytic.length) % analytic.length;
          perturb(i, +EPS); const lp = loss();
          perturb(i, -2 * EPS); const lm = loss();
          perturb(i, +EPS);
          const fd = (lp - lm) / (2 * EPS);
          const err = Math.abs(fd - analytic[i]);
          assert.ok(err <= 2e-3 * scale + 2e-4,
            `${what}[${i}]: backward ${analytic[i]} vs finite difference ${fd} (scale ${scale})`);
        }
      };
      const inputPerturb = (t) => (i, d) => { t.data[i] += d; };
      check('dx', g.dx.data, inputPerturb(x));
      check('dh0', g.dh0.data, inputPerturb(h0));
      if (c0) check('dc0', g.dc0.data, inputPerturb(c0));
      const sd = layer.stateDict();
      for (const name of Object.keys(sd)) {
        check(`grad ${name}`, pgrads[name].data, (i, d) => {
          sd[name].data[i] += d;
          layer.loadStateDict(sd);
        });
      }
    } finally {
      layer.dispose();
    }
  });
}
