// node bench/ab.mjs <treeA>[@build] <treeB>[@build]   (ROUNDS=21 by default; ONLY=W1,W4 a subset)
// Before/after on one machine in one process: loads the engine of two
// checkouts (each with dist/ built), and runs the workloads of
// bench/peers/rnnwasm.mjs (W1-W5) alternately A, B, A, B, ... so that drift of
// a shared machine hits both alike. Prints medians, minimums and B/A ratios
// (W5: us per step, 1000 stream steps per timed call), of wall-clock time and
// of the process's CPU time (process.cpuUsage: on a loaded machine the time
// spent waiting for a core shows in the first, not the second).
// A/B of one change: build tree A with it switched off, e.g. the subnormal
// flush: RNN_CFLAGS=-DRNN_FLUSH_OFF ./build.sh dist (src/flush.h).
// @build picks the engine build (init({ build }); default simd), e.g. the
// relaxed-SIMD build against SIMD128 in one tree (Node 20 needs the flag):
//   node --experimental-wasm-relaxed-simd bench/ab.mjs .@simd .@relaxed
import { cpus } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [[A, buildA], [B, buildB]] = process.argv.slice(2, 4).map((arg) => {
  const [d, build = 'simd'] = (arg ?? '').split('@');
  return [d && pathToFileURL(path.resolve(d)).href, build];
}).concat([[], []]);
if (!A || !B) throw new Error('usage: node bench/ab.mjs <treeA>[@build] <treeB>[@build]');
const rounds = Number(process.env.ROUNDS ?? 21);
const { uniform } = await import(`${A}/bench/peers/common.mjs`);
async function setup(dir, build) {
  const { init } = await import(`${dir}/dist/index.js`);
  const rnn = await init({ build });
  const mk = (cell, H) => {
    const T = 64, Bt = 32, I = 32;
    const m = new rnn[cell]({ inputSize: I, hiddenSize: H, seed: 1 });
    const lin = new rnn.Linear({ inFeatures: H, outFeatures: 1, seed: 2 });
    const opt = new rnn.Adam([...m.parameters(), ...lin.parameters()], { lr: 1e-3 });
    const x = { shape: [T, Bt, I], data: uniform(T * Bt * I, 1) }, y = { shape: [Bt, 1], data: uniform(Bt, 2) };
    return () => {
      opt.zeroGrad();
      const { hN } = m.forward(x, { output: false });
      const pred = lin.forward({ shape: [Bt, H], data: hN.data });
      const { dx } = lin.backward({ dOutput: rnn.losses.mse(pred, y).grad });
      m.backward({ dhN: { shape: hN.shape, data: dx.data }, dx: false });
      opt.step();
    };
  };
  const w4m = new rnn.LSTM({ inputSize: 32, hiddenSize: 256, seed: 1 });
  const w4x = { shape: [64, 32, 32], data: uniform(64 * 32 * 32, 1) };
  const w5m = new rnn.LSTM({ inputSize: 32, hiddenSize: 256, seed: 1 });
  const s = w5m.stream({ batch: 1 });
  const xs = Array.from({ length: 64 }, (_, t) => uniform(32, 100 + t));
  let t = 0;
  return {
    W1: mk('LSTM', 128), W2: mk('LSTM', 256), W3_GRU: mk('GRU', 128), W3_RNN: mk('RNN', 128),
    W4: () => w4m.forward(w4x),
    W5: () => { for (let i = 0; i < 1000; i++) s.step(xs[t++ & 63]); }, // ms per 1000 steps = us/step
  };
}
const a = await setup(A, buildA), b = await setup(B, buildB);
const res = {};
const only = process.env.ONLY?.split(',');
for (const w of Object.keys(a).filter((k) => k in b && (!only || only.includes(k)))) {
  res[w] = { a: [], b: [], cpu_a: [], cpu_b: [] };
  for (let i = 0; i < 2; i++) { a[w](); b[w](); }
  for (let r = 0; r < rounds; r++) {
    for (const [k, f] of [['a', a[w]], ['b', b[w]]]) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      f();
      res[w][k].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      res[w][`cpu_${k}`].push((c.user + c.system) / 1000);
    }
  }
}
const med = (x) => { const s = [...x].sort((p, q) => p - q); return s[s.length >> 1]; };
const min = (x) => Math.min(...x);
console.log(`A = ${A} (${buildA}), B = ${B} (${buildB}); ${cpus()[0]?.model}; ${rounds} alternating rounds; ms (W5: us per step)`);
const row = (name, a, b) => `${name.padEnd(11)} A median ${med(a).toFixed(2).padStart(7)} min ${min(a).toFixed(2).padStart(7)} | B median ${med(b).toFixed(2).padStart(7)} min ${min(b).toFixed(2).padStart(7)} | B/A median ${(med(b) / med(a)).toFixed(3)} min ${(min(b) / min(a)).toFixed(3)}`;
for (const [w, r] of Object.entries(res)) {
  console.log(row(`${w} wall`, r.a, r.b));
  console.log(row(`${w} cpu`, r.cpu_a, r.cpu_b));
}
