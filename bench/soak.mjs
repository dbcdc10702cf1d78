// node [--expose-gc] bench/soak.mjs [steps] [--cell LSTM|GRU|RNN] [--hidden H]:
// a long streaming run (default 1,000,000 steps of an LSTM, inputSize 32,
// hiddenSize 256, batch 1, state carried) that reports wasm memory, the JS
// heap and RSS before and after, and steps per second. Memory must be flat:
// a stream allocates nothing per step. With --expose-gc the heap figures
// follow a full GC; without it they include garbage not yet collected.
import { init } from '../dist/index.js';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const steps = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const cell = opt('--cell', 'LSTM');
const H = Number(opt('--hidden', 256)), I = 32;

const rnn = await init();
const model = new rnn[cell]({ inputSize: I, hiddenSize: H, seed: 1 });
const s = model.stream({ batch: 1 });
const xs = new Float32Array(64 * I);
let seed = 7;
for (let i = 0; i < xs.length; i++) {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  xs[i] = seed / 2 ** 32 - 0.5;
}
const views = Array.from({ length: 64 }, (_, t) => xs.subarray(t * I, (t + 1) * I));

// Reads the output only now and then: unoptimized JS boxes every float it
// reads, which would be the benchmark's garbage, not the library's.
function runSteps(n, from) {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const y = s.step(views[(from + i) & 63]);
    if ((i & 65535) === 0 && !Number.isFinite(y[0])) bad++;
  }
  return bad;
}

const snapshot = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { wasm: rnn.memoryBytes(), heap: m.heapUsed, rss: m.rss };
};
const mb = (b) => `${(b / 2 ** 20).toFixed(2)} MB`;
const delta = (a, b) => `${b - a >= 0 ? '+' : ''}${((b - a) / 1024).toFixed(1)} KB`;

let bad = runSteps(20_000, 0); // warm-up: V8 optimizes the loop
const before = snapshot();
const t0 = performance.now();
const chunk = 100_000;
let done = 0;
while (done < steps) {
  const n = Math.min(chunk, steps - done);
  bad += runSteps(n, done);
  done += n;
}
const seconds = (performance.now() - t0) / 1000;
const after = snapshot();
s.dispose();
model.dispose();

console.log(`rnn-wasm stream soak: ${cell} inputSize ${I} hiddenSize ${H} batch 1, ${steps.toLocaleString('en-US')} steps, backend ${rnn.backend}, Node ${process.version}${globalThis.gc ? ', --expose-gc' : ''}`);
console.log(`time ${seconds.toFixed(2)} s, ${Math.round(steps / seconds).toLocaleString('en-US')} steps/s, ${(seconds * 1e6 / steps).toFixed(2)} us/step (mean)`);
console.log(`wasm memory  before ${mb(before.wasm)}  after ${mb(after.wasm)}  (${delta(before.wasm, after.wasm)})`);
console.log(`JS heapUsed  before ${mb(before.heap)}  after ${mb(after.heap)}  (${delta(before.heap, after.heap)})`);
console.log(`RSS          before ${mb(before.rss)}  after ${mb(after.rss)}  (${delta(before.rss, after.rss)})`);
console.log(`non-finite outputs seen: ${bad}`);
if (after.wasm !== before.wasm || bad) process.exitCode = 1;
