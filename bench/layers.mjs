// node bench/layers.mjs [--scalar]: whole-layer timings on the shapes the
// performance issue compares with other libraries (float32, single layer):
//   train step = forward over the sequence, Linear(H, 1) on the last hidden
//   state (in JS), MSE, BPTT, Adam; inference = forward only.
// Prints medians (min/max) in ms over repeated runs; no targets asserted.
import { init } from '../dist/index.js';

const simd = !process.argv.includes('--scalar');
const rnn = await init({ simd });

function stats(times) {
  const s = [...times].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

function time(fn, { warmup = 3, minRuns = 10, minMs = 1500 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  const start = performance.now();
  while (times.length < minRuns || performance.now() - start < minMs) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return stats(times);
}

function randn(n, seed) {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function trainStep(cls, { T, B, I, H }) {
  const m = new rnn[cls]({ inputSize: I, hiddenSize: H, seed: 1 });
  const opt = new rnn.Adam(m.parameters(), { lr: 1e-3 });
  const x = { shape: [T, B, I], data: randn(T * B * I, 1) };
  const y = randn(B, 2);
  const w = randn(H, 3);
  const dOutput = { shape: [T, B, H], data: new Float32Array(T * B * H) };
  const r = time(() => {
    opt.zeroGrad();
    const { output } = m.forward(x);
    // Linear(H, 1) on the last step, MSE against y; its gradient flows into
    // the last step of dOutput (the read-out's own weights are not trained here).
    const last = (T - 1) * B * H;
    for (let b = 0; b < B; b++) {
      let p = 0;
      for (let j = 0; j < H; j++) p += w[j] * output.data[last + b * H + j];
      const g = (2 * (p - y[b])) / B;
      for (let j = 0; j < H; j++) dOutput.data[last + b * H + j] = g * w[j];
    }
    m.backward({ dOutput });
    opt.step();
  });
  opt.dispose();
  m.dispose();
  return r;
}

function inference(cls, { T, B, I, H }) {
  const m = new rnn[cls]({ inputSize: I, hiddenSize: H, seed: 1 });
  const x = { shape: [T, B, I], data: randn(T * B * I, 1) };
  const r = time(() => m.forward(x));
  m.dispose();
  return r;
}

function stepLatency(cls, { B, I, H }) {
  // One time step with the state carried (a T = 1 forward from the last hN).
  const m = new rnn[cls]({ inputSize: I, hiddenSize: H, seed: 1 });
  const x = { shape: [1, B, I], data: randn(B * I, 1) };
  let state = {};
  const n = 2000;
  const r = time(() => {
    for (let i = 0; i < n; i++) {
      const out = m.forward(x, state);
      state = cls === 'LSTM' ? { h0: out.hN, c0: out.cN } : { h0: out.hN };
    }
  }, { warmup: 1, minRuns: 5, minMs: 1000 });
  m.dispose();
  return { median: (r.median / n) * 1000, min: (r.min / n) * 1000, max: (r.max / n) * 1000 };
}

const rows = [];
const fmt = (r, unit) => `${r.median.toFixed(2)} ${unit} (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)})`;
const base = { T: 64, B: 32, I: 32 };
rows.push(['W1 train step LSTM H=128 B=32 T=64 I=32', fmt(trainStep('LSTM', { ...base, H: 128 }), 'ms')]);
rows.push(['W2 train step LSTM H=256', fmt(trainStep('LSTM', { ...base, H: 256 }), 'ms')]);
rows.push(['W3 train step GRU H=128', fmt(trainStep('GRU', { ...base, H: 128 }), 'ms')]);
rows.push(['W3 train step RNN(tanh) H=128', fmt(trainStep('RNN', { ...base, H: 128 }), 'ms')]);
rows.push(['W4 inference LSTM H=256 B=32 T=64', fmt(inference('LSTM', { ...base, H: 256 }), 'ms')]);
rows.push(['W5 step LSTM H=256 I=32 B=1 (via forward T=1)', fmt(stepLatency('LSTM', { B: 1, I: 32, H: 256 }), 'us')]);

console.log(`rnn-wasm layer benchmark, backend ${rnn.backend}, Node ${process.version}`);
const w = Math.max(...rows.map((r) => r[0].length));
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
