// node bench/stream.mjs [--scalar] [--quick] [--threads=N]: streaming inference latency.
// Each step of a stream (state carried in wasm memory) is timed on its own
// with performance.now() after a warm-up: median, min, max and p99 per step
// in microseconds. run(xs, 64) rows time whole calls and divide by 64.
// Shapes: inputSize 32, hiddenSize 256, one layer, batch 1 / 8 / 64.
// Peers measured on the reference machine at LSTM B=1: onnxruntime-web
// 38 us, TensorFlow.js (wasm backend, stateful LSTM) 139 us; target 15 us.
import { init } from '../dist/index.js';

const simd = !process.argv.includes('--scalar');
const threadsArg = process.argv.find((a) => a.startsWith('--threads='));
const threads = threadsArg ? Number(threadsArg.slice('--threads='.length)) : 1;
const quick = process.argv.includes('--quick');
const rnn = await init({ simd, threads });
if (rnn.threads !== threads) throw new Error(`asked for ${threads} threads, got ${rnn.threads}: ${rnn.threadStats().error ?? ''}`);
const I = 32, H = 256;
const STEPS = quick ? 2000 : 20000, WARMUP = quick ? 500 : 3000, RUN_T = 64;

function inputs(n, seed) {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function summary(times, n, div = 1) {
  const s = Float64Array.from(times.subarray(0, n)).sort();
  const at = (q) => (s[Math.min(n - 1, Math.floor(q * n))] * 1000) / div;
  return { median: at(0.5), min: (s[0] * 1000) / div, max: (s[n - 1] * 1000) / div, p99: at(0.99) };
}

function stepLatency(cls, B) {
  const m = new rnn[cls]({ inputSize: I, hiddenSize: H, seed: 1 });
  const s = m.stream({ batch: B });
  const xs = inputs(64 * B * I, 7);
  const views = Array.from({ length: 64 }, (_, t) => xs.subarray(t * B * I, (t + 1) * B * I));
  const times = new Float64Array(STEPS);
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += s.step(views[i & 63])[0];
  for (let i = 0; i < STEPS; i++) {
    const x = views[i & 63];
    const t0 = performance.now();
    const y = s.step(x);
    times[i] = performance.now() - t0;
    sink += y[0];
  }
  s.dispose();
  m.dispose();
  if (!Number.isFinite(sink)) throw new Error('non-finite output');
  return summary(times, STEPS);
}

function runLatency(cls, B) {
  const m = new rnn[cls]({ inputSize: I, hiddenSize: H, seed: 1 });
  const s = m.stream({ batch: B });
  const xs = inputs(RUN_T * B * I, 7);
  const calls = Math.max(20, Math.floor(STEPS / RUN_T));
  const times = new Float64Array(calls);
  let sink = 0;
  for (let i = 0; i < Math.ceil(WARMUP / RUN_T) + 5; i++) sink += s.run(xs, RUN_T)[0];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    const y = s.run(xs, RUN_T);
    times[i] = performance.now() - t0;
    sink += y[0];
  }
  s.dispose();
  m.dispose();
  if (!Number.isFinite(sink)) throw new Error('non-finite output');
  return summary(times, calls, RUN_T);
}

// The way to step before streams: forward over T = 1 from the last hN (cN).
function forwardLatency(cls, B) {
  const m = new rnn[cls]({ inputSize: I, hiddenSize: H, seed: 1 });
  m.eval();
  const x = { shape: [1, B, I], data: inputs(B * I, 7) };
  const n = quick ? 500 : 5000;
  const times = new Float64Array(n);
  let state = {};
  for (let i = 0; i < n + 500; i++) {
    const t0 = performance.now();
    const out = m.forward(x, state);
    if (i >= 500) times[i - 500] = performance.now() - t0;
    state = cls === 'LSTM' ? { h0: out.hN, c0: out.cN } : { h0: out.hN };
  }
  m.dispose();
  return summary(times, n);
}

const rows = [];
for (const cls of ['LSTM', 'GRU', 'RNN']) {
  for (const B of [1, 8, 64]) {
    rows.push([cls, B, 'step', stepLatency(cls, B)]);
    rows.push([cls, B, `run(T=${RUN_T})/T`, runLatency(cls, B)]);
  }
}
rows.push(['LSTM', 1, 'forward(T=1)', forwardLatency('LSTM', 1)]);

console.log(`rnn-wasm stream latency, backend ${rnn.backend}, ${rnn.threads} thread(s), Node ${process.version}, inputSize ${I}, hiddenSize ${H}, 1 layer`);
console.log(`us per step; step rows: ${STEPS} steps timed one by one after ${WARMUP} warm-up steps`);
const head = ['cell', 'batch', 'how', 'median', 'min', 'p99', 'max', 'steps/s'];
const lines = rows.map(([cls, B, how, r]) => [cls, String(B), how, r.median.toFixed(2), r.min.toFixed(2),
  r.p99.toFixed(2), r.max.toFixed(2), Math.round(1e6 / r.median).toLocaleString('en-US')]);
const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const fmt = (cols) => cols.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(fmt(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const l of lines) console.log(fmt(l));
const lstm1 = rows[0][3].median;
console.log(`LSTM B=1 step median ${lstm1.toFixed(2)} us: target <= 15 us ${lstm1 <= 15 ? 'met' : 'NOT met'}`);
