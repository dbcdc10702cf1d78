// node --expose-gc bench/cycles.mjs [cycles]: the lifetime soak. Each cycle
// creates a model (LSTM, GRU, RNN in turn, inputSize 8, hiddenSize 32, then
// a Linear head), an Adam optimizer and a stream, trains one step (forward
// over T 16 x B 4, MSE on the last step, backward, clipping, step), streams
// 8 steps, and disposes everything. Default 10,000 cycles. Reports wasm
// memory, the JS heap (after a full GC when --expose-gc is given) and RSS at
// the start (after a warm-up) and every 10% of the way; memory must be flat.
import { init } from '../dist/index.js';

const cycles = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10_000);
const gc = globalThis.gc ?? (() => {});
const rnn = await init();
const T = 16, B = 4, I = 8, H = 32;

let seed = 3;
const rand = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; };
const x = rnn.tensor([T, B, I], Float32Array.from({ length: T * B * I }, rand));
const y = rnn.tensor([B, 1], Float32Array.from({ length: B }, rand));
const xs = Float32Array.from({ length: 8 * I }, rand);

function cycle(i) {
  const cell = new rnn[['LSTM', 'GRU', 'RNN'][i % 3]]({ inputSize: I, hiddenSize: H, seed: i });
  const head = new rnn.Linear({ inFeatures: H, outFeatures: 1, seed: i + 1 });
  const opt = new rnn.Adam([...cell.parameters(), ...head.parameters()], { lr: 1e-3 });
  opt.zeroGrad();
  const { output } = cell.forward(x);
  const last = rnn.tensor([B, H], output.data.slice((T - 1) * B * H));
  const pred = head.forward(last);
  const { loss, grad } = rnn.losses.mse(pred, y);
  const { dx: dLast } = head.backward({ dOutput: grad });
  const dOutput = new Float32Array(T * B * H);
  dOutput.set(dLast.data, (T - 1) * B * H);
  cell.backward({ dOutput: rnn.tensor([T, B, H], dOutput) });
  rnn.clipGradNorm([...cell.parameters(), ...head.parameters()], 1);
  opt.step();
  const s = cell.stream({ batch: 1 });
  s.run(xs, 8);
  s.dispose();
  opt.dispose();
  head.dispose();
  cell.dispose();
  if (!Number.isFinite(loss)) throw new Error(`cycle ${i}: loss ${loss}`);
}

// WeakRefs made during a job keep their targets until the job ends, so the
// event loop turns once before each GC (as it does between a page's tasks).
const snapshot = async () => {
  await new Promise((r) => setTimeout(r, 0));
  gc();
  return { wasm: rnn.memoryBytes(), heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
};
const mb = (b) => (b / 2 ** 20).toFixed(2);
for (let i = 0; i < 50; i++) cycle(i); // warm up the allocator and the JIT
const first = await snapshot();
console.log(`cycles: ${cycles} create/train/stream/dispose cycles; start wasm ${mb(first.wasm)} MB, heap ${mb(first.heap)} MB, rss ${mb(first.rss)} MB${globalThis.gc ? '' : ' (no --expose-gc: heap includes garbage)'}`);
const t0 = performance.now();
let last = first;
for (let i = 0; i < cycles; i++) {
  cycle(i);
  if ((i + 1) % Math.max(1, Math.round(cycles / 10)) === 0) {
    last = await snapshot();
    console.log(`  ${String(i + 1).padStart(7)}: wasm ${mb(last.wasm)} MB, heap ${mb(last.heap)} MB, rss ${mb(last.rss)} MB`);
  }
}
const seconds = (performance.now() - t0) / 1000;
last = await snapshot();
const flat = last.wasm === first.wasm;
console.log(`BENCH_JSON ${JSON.stringify({
  cycles, seconds, cyclesPerSec: cycles / seconds,
  wasmBytes: [first.wasm, last.wasm], heapBytes: [first.heap, last.heap], rssBytes: [first.rss, last.rss],
  gc: Boolean(globalThis.gc), wasmFlat: flat, heapGrowthBytes: last.heap - first.heap,
})}`);
console.log(`${cycles} cycles in ${seconds.toFixed(1)} s; wasm ${flat ? 'flat' : `GREW ${mb(first.wasm)} -> ${mb(last.wasm)} MB`}, heap ${mb(first.heap)} -> ${mb(last.heap)} MB`);
if (!flat) process.exitCode = 1;
