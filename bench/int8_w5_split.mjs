// node bench/int8_w5_split.mjs [--build simd|relaxed] (ROUNDS=15; relaxed needs
// node --experimental-wasm-relaxed-simd): what W5's stream step costs besides its
// product and gate math. Per step, process CPU time, rounds interleaved, minimums:
//   H256 step: W5 as bench/int8.mjs times it, 2,000 step() calls;
//   H256 run:  the same 2,000 steps in one run() call (no per-step JS or boundary);
//   H1 step / run: an LSTM of 1 unit, input 1: the per-step cost that is not
//     the product or the gate math (JS, the wasm call, the C dispatch, int8's
//     quantizing of [x, 1, h] and its call into rnn-int8*.wasm).
// Float32 and int8 side by side. Where the rest goes (product, gate math) needs
// a profile: node --cpu-prof (bench/RESULTS-2026-12-05-int8-size.txt).
import { uniform } from './peers/common.mjs';
import { init } from '../dist/index.js';

const at = process.argv.indexOf('--build');
const rnn = await init({ build: at > 0 ? process.argv[at + 1] : 'simd' });
await rnn.loadInt8();
const N = 2000, rounds = Number(process.env.ROUNDS ?? 15);

function workload(H, I, quantized) {
  const m = new rnn.LSTM({ inputSize: I, hiddenSize: H, seed: 1 }).eval();
  if (quantized) m.quantize();
  const s = m.stream({ batch: 1 });
  const xs = Array.from({ length: 64 }, (_, t) => uniform(I, 100 + t)), all = uniform(I * N, 7);
  let t = 0;
  return { step: () => { for (let i = 0; i < N; i++) s.step(xs[t++ & 63]); }, run: () => s.run(all, N) };
}

const cases = {};
for (const q of [false, true]) {
  for (const [H, I] of [[256, 32], [1, 1]]) {
    const w = workload(H, I, q);
    cases[`${q ? 'int8   ' : 'float32'} H${String(H).padEnd(3)} step`] = w.step;
    cases[`${q ? 'int8   ' : 'float32'} H${String(H).padEnd(3)} run `] = w.run;
  }
}
const us = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const f of Object.values(cases)) f(); // warm-up (and the int8 repack on the first step)
for (let r = 0; r < rounds; r++) {
  for (const [k, f] of Object.entries(cases)) {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    us[k].push((c.user + c.system) / N);
  }
}
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
console.log(`${rnn.build} build, ${rounds} interleaved rounds of ${N} steps; us of CPU per step`);
for (const [k, v] of Object.entries(us)) console.log(`${k}: min ${Math.min(...v).toFixed(3).padStart(7)}  median ${med(v).toFixed(3).padStart(7)}`);
