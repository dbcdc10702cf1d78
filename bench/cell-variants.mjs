// node bench/cell-variants.mjs   (ROUNDS=40 by default)
// The cell variants of issue 19 against today's cells, in one process:
// a training step (forward + BPTT, T = 32, batch 16, no dx), an inference
// forward (same sizes) and 100 batch-1 stream steps, for the GRU with the
// reset gate before the product, hard-sigmoid gates, and the defaults. Short
// runs, each round running every variant once in a rotated order, so a
// shared machine's drift hits all alike; prints each variant's minimum and
// its ratio to its cell's default.
import { init } from '../dist/index.js';

const rounds = Number(process.env.ROUNDS ?? 40);
const rnn = await init({ simd: true });
const T = 32, B = 16, I = 32;
const VARIANTS = [
  ['GRU', {}], ['GRU', { resetAfter: false }], ['GRU', { resetAfter: false, gateActivation: 'hardSigmoid' }],
  ['GRU', { gateActivation: 'hardSigmoidKeras3' }],
  ['LSTM', {}], ['LSTM', { gateActivation: 'hardSigmoid' }], ['LSTM', { gateActivation: 'hardSigmoidKeras3' }],
];

function data(n, seed) {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; }
  return a;
}

function workloads(cls, opts, H) {
  const m = new rnn[cls]({ inputSize: I, hiddenSize: H, seed: 1, ...opts });
  const x = { shape: [T, B, I], data: data(T * B * I, 1) };
  const s = m.stream();
  const xs = data(100 * I, 2);
  return {
    train: () => {
      m.zeroGrad();
      const { hN } = m.forward(x, { output: false });
      m.backward({ dhN: hN, dx: false });
    },
    infer: () => m.forward(x, { output: false }),
    stream100: () => s.run(xs, 100),
  };
}

for (const H of [64, 256]) {
  const runs = VARIANTS.map(([cls, opts]) => ({ label: `${cls} ${JSON.stringify(opts)}`, cls, w: workloads(cls, opts, H), best: {} }));
  for (const name of Object.keys(runs[0].w)) {
    for (const r of runs) r.w[name](); // warm up
    for (let k = 0; k < rounds; k++) {
      for (let v = 0; v < runs.length; v++) {
        const r = runs[(v + k) % runs.length];
        const t0 = performance.now();
        r.w[name]();
        r.best[name] = Math.min(r.best[name] ?? Infinity, performance.now() - t0);
      }
    }
  }
  console.log(`H=${H} (T=${T}, B=${B}, I=${I}; stream: batch 1, 100 steps): minimum ms of ${rounds} rounds (ratio to the cell's default)`);
  for (const r of runs) {
    const base = runs.find((q) => q.cls === r.cls).best;
    const cols = Object.keys(r.best).map((n) => `${n} ${r.best[n].toFixed(3)} (${(r.best[n] / base[n]).toFixed(3)})`);
    console.log(`  ${r.label.padEnd(56)} ${cols.join('  ')}`);
  }
}
