// case.mjs - the one computation every packaging fixture runs against the
// installed package: an LSTM forward + backward (BPTT) and one Adam step.
// Inputs are deterministic, so every consumer (Node ESM, require, worker
// threads, custom hosting, Vite, a static page, a Web Worker) must print the
// same numbers as the repository's own dist/ does.
//
//   import { runCase } from './case.mjs';
//   const result = runCase(await init());   // plain JSON

const fill = (n, f) => Float32Array.from({ length: n }, (_, i) => f(i));
const plain = (t) => ({ shape: [...t.shape], data: Array.from(t.data) });
const plainDict = (d) => Object.fromEntries(Object.entries(d).map(([k, t]) => [k, plain(t)]));

export function runCase(rnn) {
  const I = 4, H = 6, T = 5, B = 2;
  const x = rnn.tensor([T, B, I], fill(T * B * I, (i) => Math.sin(0.31 * i + 0.2) * 0.9));
  const lstm = new rnn.LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, seed: 11 });
  const opt = new rnn.Adam(lstm.parameters(), { lr: 0.01 });
  try {
    opt.zeroGrad();
    const { output, hN, cN } = lstm.forward(x);
    // loss = mean(output^2), so dLoss/dOutput = 2 * output / n
    const n = output.data.length;
    const loss = output.data.reduce((s, v) => s + v * v, 0) / n;
    const dOutput = rnn.tensor(output.shape, output.data.map((v) => (2 * v) / n));
    const { dx } = lstm.backward({ dOutput });
    const grads = plainDict(lstm.grads());
    opt.step();
    const after = lstm.forward(x).output;
    const lossAfter = after.data.reduce((s, v) => s + v * v, 0) / n;
    return {
      backend: rnn.backend,
      output: plain(output), hN: plain(hN), cN: plain(cN), dx: plain(dx), grads,
      paramsAfter: plainDict(lstm.stateDict()), loss, lossAfter,
    };
  } finally {
    opt.dispose();
    lstm.dispose();
  }
}
