// engine.js - one fixed engine computation, run both in the browser
// (tests/browser/check.html?case=engine) and in Node (tests/browser.test.mjs), whose
// results must match: the same wasm gives the same numbers everywhere.
//
//   import { runCase } from './engine.js';
//   const result = runCase(await init());   // plain JSON-able arrays

// Deterministic, exactly representable-ish inputs (rounded to float32 by the engine).
function fill(n, f) {
  return Float32Array.from({ length: n }, (_, i) => f(i));
}

const plain = (t) => ({ shape: [...t.shape], data: Array.from(t.data) });

function plainDict(d) {
  const out = {};
  for (const [k, t] of Object.entries(d)) out[k] = plain(t);
  return out;
}

/** LSTM forward + backward + one Adam step, then GRU and RNN forward + backward. */
export function runCase(rnn) {
  const I = 3, H = 5, T = 4, B = 2;
  const x = rnn.tensor([T, B, I], fill(T * B * I, (i) => Math.sin(0.37 * i + 0.1) * 0.8));
  const h0 = rnn.tensor([1, B, H], fill(B * H, (i) => 0.1 * Math.cos(0.5 * i)));
  const c0 = rnn.tensor([1, B, H], fill(B * H, (i) => -0.05 * i + 0.2));
  const dOutput = rnn.tensor([T, B, H], fill(T * B * H, (i) => Math.cos(0.21 * i) * 0.5));
  const dhN = rnn.tensor([1, B, H], fill(B * H, (i) => 0.03 * (i - 4)));
  const dcN = rnn.tensor([1, B, H], fill(B * H, (i) => 0.02 * ((i % 3) - 1)));

  const result = { backend: rnn.backend };

  const lstm = new rnn.LSTM({ inputSize: I, hiddenSize: H, seed: 7 });
  try {
    const opt = new rnn.Adam(lstm.parameters(), { lr: 0.01 });
    try {
      opt.zeroGrad();
      const paramsBefore = plainDict(lstm.stateDict());
      const { output, hN, cN } = lstm.forward(x, { h0, c0 });
      const { dx, dh0, dc0 } = lstm.backward({ dOutput, dhN, dcN });
      const grads = plainDict(lstm.grads());
      opt.step();
      const paramsAfter = plainDict(lstm.stateDict());
      const again = lstm.forward(x, { h0, c0 }).output;
      result.lstm = {
        paramsBefore, output: plain(output), hN: plain(hN), cN: plain(cN),
        dx: plain(dx), dh0: plain(dh0), dc0: plain(dc0), grads, paramsAfter,
        outputAfterStep: plain(again), stepCount: opt.stepCount,
      };
    } finally {
      opt.dispose();
    }
  } finally {
    lstm.dispose();
  }

  for (const [name, make] of [
    ['gru', () => new rnn.GRU({ inputSize: I, hiddenSize: H, seed: 7 })],
    ['rnnRelu', () => new rnn.RNN({ inputSize: I, hiddenSize: H, seed: 7, nonlinearity: 'relu' })],
  ]) {
    const m = make();
    try {
      const { output, hN } = m.forward(x, { h0 });
      const { dx, dh0 } = m.backward({ dOutput, dhN });
      result[name] = { output: plain(output), hN: plain(hN), dx: plain(dx), dh0: plain(dh0), grads: plainDict(m.grads()) };
    } finally {
      m.dispose();
    }
  }
  return result;
}
