// synthetic.js - deterministic test inputs with no Node or DOM imports, so
// Node tests (through util.mjs) and the browser pages of tests/browser/
// (served from the repository root: /tests/helpers/synthetic.js) share them.

/** Deterministic pseudo-random numbers in [-0.5, 0.5) for test inputs (not the engine's generator). */
export function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** The adding problem: n batches of [B, T, 2]; y = the sum of the two marked values of each sequence. */
export function addingBatches(n, B, T, seed) {
  const rnd = lcg(seed);
  const u = () => rnd() + 0.5;
  return Array.from({ length: n }, () => {
    const x = new Float32Array(B * T * 2), y = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      const i = Math.floor(u() * T / 2), j = T / 2 + Math.floor(u() * T / 2);
      for (let t = 0; t < T; t++) x[(b * T + t) * 2] = u();
      x[(b * T + i) * 2 + 1] = 1; x[(b * T + j) * 2 + 1] = 1;
      y[b] = x[(b * T + i) * 2] + x[(b * T + j) * 2];
    }
    return { x: { shape: [B, T, 2], data: x }, y: { shape: [B, 1], data: y } };
  });
}

/** The adding-problem regressor: cell(2 -> 12) -> Pool('last') -> Linear(12 -> 1); two layers when dropout > 0. */
export function addingRegressor(rnn, cell = 'LSTM', seed = 1, dropout = 0) {
  return new rnn.Sequential([
    new rnn[cell]({ inputSize: 2, hiddenSize: 12, batchFirst: true, seed, numLayers: dropout ? 2 : 1, dropout }),
    new rnn.Pool({ mode: 'last' }),
    new rnn.Linear({ inFeatures: 12, outFeatures: 1, seed: seed + 1 }),
  ]);
}
