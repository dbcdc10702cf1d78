// node bench/cell-variants.mjs   (ROUNDS=9 by default)
// The cell variants of issue 19 against today's cells, in one process,
// interleaved round by round (a shared machine's drift hits all alike):
// a training step (forward + BPTT over T = 64, batch 32), an inference
// forward (same sizes) and a batch-1 stream step, for GRU with the reset gate
// before the product, hard-sigmoid gates, and their defaults. Prints the
// minimum per variant and its ratio to the default cell.
import { init } from '../dist/index.js';

const rounds = Number(process.env.ROUNDS ?? 9);
const rnn = await init({ simd: true });
const T = 64, B = 32, I = 32;
const VARIANTS = [
  ['GRU', {}], ['GRU', { resetAfter: false }], ['GRU', { resetAfter: false, gateActivation: 'hardSigmoid' }],
  ['GRU', { gateActivation: 'hardSigmoidKeras3' }],
  ['LSTM', {}], ['LSTM', { gateActivation: 'hardSigmoid' }],
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
  const xs = data(1000 * I, 2);
  return {
    train: () => {
      m.zeroGrad();
      const { hN } = m.forward(x, { output: false });
      m.backward({ dhN: hN, dx: false });
    },
    infer: () => m.forward(x, { output: false }),
    stream1000: () => s.run(xs, 1000),
  };
}

function time(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

for (const H of [64, 256]) {
  const runs = VARIANTS.map(([cls, opts]) => ({ label: `${cls} ${JSON.stringify(opts)}`, cls, w: workloads(cls, opts, H), best: {} }));
  for (const r of runs) for (const fn of Object.values(r.w)) fn(); // warm up
  for (let k = 0; k < rounds; k++) {
    for (const r of runs) {
      for (const [name, fn] of Object.entries(r.w)) r.best[name] = Math.min(r.best[name] ?? Infinity, time(fn));
    }
  }
  console.log(`H=${H} (T=${T}, B=${B}, I=${I}; stream: batch 1, 1000 steps), minimum ms of ${rounds} rounds, ratio to the default cell:`);
  for (const r of runs) {
    const base = runs.find((q) => q.cls === r.cls).best;
    const cols = Object.keys(r.best).map((n) => `${n} ${r.best[n].toFixed(2)} (${(r.best[n] / base[n]).toFixed(3)})`);
    console.log(`  ${r.label.padEnd(52)} ${cols.join('  ')}`);
  }
}
