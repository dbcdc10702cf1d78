// node bench/int8.mjs [--build simd|relaxed|scalar] (ROUNDS=21; the relaxed build
// needs node --experimental-wasm-relaxed-simd) [--blocks]: int8 against float32
// inference in one process, alternating rounds (a shared machine's drift hits
// both alike); --blocks runs all of one side's rounds, then the other's (the
// SIMD128 build's int8 W4 ran 15-20% slower right after a float32 forward).
// W4: LSTM H256 forward, batch 32, 64 steps, input 32 (ms per call).
// W5: LSTM H256 stream step, batch 1, input 32 (us per step: 1000 steps a call).
// Prints medians and minimums of wall-clock and process CPU time, and the
// int8/float32 ratios (targets, issue 21: W5 <= 0.35, W4 speed >= 1.8x).
import { uniform } from './peers/common.mjs';
import { init } from '../dist/index.js';

const at = process.argv.indexOf('--build');
const build = at > 0 ? process.argv[at + 1] : process.argv.includes('--scalar') ? 'scalar' : 'simd';
const rnn = await init({ build });
await rnn.loadInt8();
const rounds = Number(process.env.ROUNDS ?? 21);

function workloads(quantized) {
  const w4m = new rnn.LSTM({ inputSize: 32, hiddenSize: 256, seed: 1 }).eval();
  const w5m = new rnn.LSTM({ inputSize: 32, hiddenSize: 256, seed: 1 }).eval();
  if (quantized) w4m.quantize(), w5m.quantize();
  const w4x = { shape: [64, 32, 32], data: uniform(64 * 32 * 32, 1) };
  const s = w5m.stream({ batch: 1 });
  const xs = Array.from({ length: 64 }, (_, t) => uniform(32, 100 + t));
  let t = 0;
  return {
    W4: () => w4m.forward(w4x, { output: false }),
    W5: () => { for (let i = 0; i < 1000; i++) s.step(xs[t++ & 63]); },
  };
}

const f32 = workloads(false), i8 = workloads(true);
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
const min = (x) => Math.min(...x);
console.log(`${rnn.build} build, ${rounds} ${process.argv.includes('--blocks') ? 'rounds a side, in blocks' : 'alternating rounds'}; W4 ms per call, W5 us per step`);
for (const w of ['W4', 'W5']) {
  const r = { f32: [], i8: [], cpu_f32: [], cpu_i8: [] };
  for (let i = 0; i < 3; i++) f32[w](), i8[w]();
  const sides = [['f32', f32[w]], ['i8', i8[w]]];
  const order = process.argv.includes('--blocks')
    ? sides.flatMap((side) => Array(rounds).fill(side))
    : Array.from({ length: rounds }, () => sides).flat();
  for (const [name, f] of order) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    f();
    r[name].push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    r[`cpu_${name}`].push((c.user + c.system) / 1000);
  }
  for (const kind of ['wall', 'cpu']) {
    const a = kind === 'wall' ? r.f32 : r.cpu_f32, b = kind === 'wall' ? r.i8 : r.cpu_i8;
    console.log(`${w} ${kind.padEnd(4)} float32 median ${med(a).toFixed(2).padStart(7)} min ${min(a).toFixed(2).padStart(7)} | int8 median ${med(b).toFixed(2).padStart(7)} min ${min(b).toFixed(2).padStart(7)} | int8/float32 median ${(med(b) / med(a)).toFixed(3)} min ${(min(b) / min(a)).toFixed(3)}`);
  }
}
