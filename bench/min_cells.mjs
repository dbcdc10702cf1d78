// node bench/min_cells.mjs [--quick] [--rounds=N] [--clock=cpu] [--T=512,4096]: minGRU and minLSTM (issue 23)
// against the engine's own LSTM and GRU, one thread, SIMD build.
//   1. Training step (forward + backward without dx + Adam; the loss gradient
//      is a fixed dOutput), H 256, B 32, T 64 / 512 / 4096, input 32 and 256,
//      and batch 1 (T 512 / 4096, input 32).
//   2. Stream step at the W5 shape (input 32, hidden 256, batch 1), us.
// Cells run interleaved within each round (LSTM, GRU, minGRU, minLSTM, ...),
// so drift on a shared machine hits all alike; the table shows minimums (ms)
// and ratios LSTM / cell and GRU / cell (> 1: the cell is faster).
// --clock=cpu times with the process's CPU time instead of wall time (for a
// machine that other work keeps busy; everything here runs on one thread).
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { init } from '../dist/index.js';

const quick = process.argv.includes('--quick');
const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
const rnn = await init({ simd: true });
const cpuClock = process.argv.includes('--clock=cpu');
const now = cpuClock
  ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }
  : () => performance.now();
const CELLS = ['LSTM', 'GRU', 'MinGRU', 'MinLSTM'];

function uniform(n, seed) {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5));
}

function trainStep(cell, T, B, I, H) {
  const m = new rnn[cell]({ inputSize: I, hiddenSize: H, seed: 1 });
  const opt = new rnn.Adam(m.parameters(), { lr: 1e-3 });
  const x = { shape: [T, B, I], data: uniform(T * B * I, 1) };
  const dOutput = { shape: [T, B, H], data: uniform(T * B * H, 2) };
  return {
    run() {
      opt.zeroGrad();
      m.forward(x, { output: false });
      m.backward({ dOutput, dx: false });
      opt.step();
    },
    dispose() { opt.dispose(); m.dispose(); },
  };
}

// One timed step after a warm one (caches allocated, weights packed), in ms.
function timeOne(cell, T, B, I, H) {
  const job = trainStep(cell, T, B, I, H);
  job.run();
  const t0 = now();
  job.run();
  const ms = now() - t0;
  job.dispose();
  return ms;
}

// --one=cell,T,B,I: one measurement in this process (the large shapes run
// each cell in a fresh process: 2 GB of wasm memory hold one T 4096 B 32 cache).
const one = process.argv.find((a) => a.startsWith('--one='));
if (one) {
  const [cell, T, B, I] = one.slice(6).split(',');
  console.log(`ONE ${timeOne(cell, +T, +B, +I, 256)}`);
  process.exit(0);
}

function timeMin(T, B, I, H, reps) {
  const fresh = T * B >= 131072;
  const best = new Map();
  for (let r = 0; r < reps; r++) {
    for (const cell of CELLS) {
      let ms;
      if (fresh) {
        const argv = [fileURLToPath(import.meta.url), `--one=${cell},${T},${B},${I}`, ...(cpuClock ? ['--clock=cpu'] : [])];
        const out = spawnSync(process.execPath, argv, { encoding: 'utf8' });
        ms = Number(/ONE (\S+)/.exec(out.stdout)?.[1]);
        if (!Number.isFinite(ms)) throw new Error(`${cell} T ${T}: ${out.stderr}`);
      } else {
        ms = timeOne(cell, T, B, I, H);
      }
      best.set(cell, Math.min(best.get(cell) ?? Infinity, ms));
    }
  }
  return best;
}

const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
function row(label, best) {
  const cols = CELLS.map((c) => fmt(best.get(c)).padStart(9));
  const ratios = ['MinGRU', 'MinLSTM'].map((c) =>
    `${c} ${(best.get('LSTM') / best.get(c)).toFixed(1)}x / ${(best.get('GRU') / best.get(c)).toFixed(1)}x`);
  console.log(`${label.padEnd(26)}${cols.join('')}   ${ratios.join('   ')}`);
}

console.log(`rnn-wasm ${rnn.backend}, ${rnn.threads} thread, ${cpuClock ? 'CPU' : 'wall'} time; minimum ms per training step (forward + backward + Adam)`);
console.log(`${''.padEnd(26)}${CELLS.map((c) => c.padStart(9)).join('')}   ratios: LSTM / cell, GRU / cell`);
const H = 256;
const shapes = [];
for (const I of [32, 256]) for (const T of quick ? [64, 512] : [64, 512, 4096]) shapes.push({ T, B: 32, I });
for (const T of quick ? [512] : [512, 4096]) shapes.push({ T, B: 1, I: 32 });
const onlyT = process.argv.find((a) => a.startsWith('--T='))?.slice(4).split(',').map(Number);
for (const { T, B, I } of shapes.filter((sh) => !onlyT || onlyT.includes(sh.T))) {
  const reps = Number(roundsArg?.split('=')[1] ?? (T * B >= 131072 ? 1 : T * B >= 16384 ? 3 : 7));
  row(`T ${T} B ${B} I ${I}`, timeMin(T, B, I, H, reps));
}

// Stream step at W5: 1000 steps per timed call (run), minimum over rounds.
const STEPS = 1000;
const streams = new Map(CELLS.map((c) => {
  const m = new rnn[c]({ inputSize: 32, hiddenSize: H, seed: 1 });
  return [c, { m, s: m.stream({ batch: 1 }) }];
}));
const xs = uniform(STEPS * 32, 3);
const best = new Map();
for (let r = 0; r < (quick ? 5 : 21); r++) {
  for (const [c, { s }] of streams) {
    const t0 = now();
    s.run(xs, STEPS);
    best.set(c, Math.min(best.get(c) ?? Infinity, ((now() - t0) * 1000) / STEPS));
  }
}
console.log(`stream step W5 (input 32, hidden 256, batch 1), minimum us per step: ${CELLS.map((c) => `${c} ${best.get(c).toFixed(2)}`).join(', ')}; LSTM / minGRU ${(best.get('LSTM') / best.get('MinGRU')).toFixed(1)}x, LSTM / minLSTM ${(best.get('LSTM') / best.get('MinLSTM')).toFixed(1)}x`);
for (const { m, s } of streams.values()) { s.dispose(); m.dispose(); }
