// streaming.js - section 6: the evidence for "constant cost per element":
// the engine's stream.step() (state carried) against re-reading the whole
// prefix with forward() (no carried state), and the memory each carries.
import { chart } from './charts.js';
import { int8Switch } from './int8-switch.js';
import { $, int, num, yieldTask } from './util.js';

const H = 64, IN = 16, MAX_T = 1024;
const POSITIONS = [1, 128, 256, 384, 512, 640, 768, 896, 1024];
const BLOCK = 128;

/** Mean ms of fn() over enough repetitions to fill `ms` (timer resolution). */
function timeIt(fn, ms = 3) {
  let reps = 0;
  const t0 = performance.now();
  let t = t0;
  do { fn(); reps++; t = performance.now(); } while (t - t0 < ms);
  return (t - t0) / reps;
}

export async function setup({ rnn }) {
  const state = { result: null, running: false, runs: 0 };
  const xs = POSITIONS;
  const memory = [xs, xs.map(() => 2 * H), xs.map((t) => 2 * H * t)];

  const timeChart = await chart($('#bench-time'), (p, axis) => ({
    scales: { x: { time: false }, y: { distr: 3, log: 10 } },
    axes: [axis(p, 'position t in the stream'), axis(p, 'µs per element', {
      size: 56, filter: (u, splits) => splits,
      splits: (u, ai, min, max) => {
        const out = [];
        for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
        return out;
      },
      values: (u, splits) => splits.map((v) => (v >= 1000 ? `${v / 1000}k` : String(v))),
    })],
    series: [{},
      { label: 'stream.step()', stroke: p.lstm, width: 2.5, points: { show: true, size: 6, fill: p.lstm } },
      { label: 'forward() over the prefix', stroke: p.warn, width: 2.5, points: { show: true, size: 6, fill: p.warn } }],
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
  }), [xs, xs.map(() => null), xs.map(() => null)], { height: 230, title: 'Time per new element (µs)' });

  await chart($('#bench-memory'), (p, axis) => ({
    scales: { x: { time: false }, y: { range: (u, lo, hi) => [0, hi * 1.08] } },
    axes: [axis(p, 'position t in the stream'), axis(p, 'floats', { size: 58, values: (u, s) => s.map((v) => (v >= 1000 ? `${v / 1000}k` : String(v))) })],
    series: [{},
      { label: 'LSTM state (h, c)', stroke: p.lstm, width: 2.5, points: { show: false } },
      { label: 'Transformer KV cache (1 layer)', stroke: p.dark ? '#c084fc' : '#9333ea', width: 2.5, points: { show: false } }],
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
  }), memory, { height: 230, title: 'Memory carried between elements (floats)' });

  const btn = $('#stream-bench');
  // int8 weights: the next measurement runs the int8 layer (the switch times one of its own)
  const probe = new rnn.LSTM({ inputSize: IN, hiddenSize: H, seed: 9 });
  const int8 = int8Switch($('#stream-int8'), {
    rnn, testid: 'stream-int8', keep: false, target: () => ({ model: probe, layer: probe }),
    onChange: () => { if (state.runs) measure(); },
  });
  async function measure() {
    if (state.running) return state.result;
    if (int8.checked) await rnn.loadInt8(); // fetched on first use
    if (state.running) return state.result;
    state.running = true;
    btn.disabled = true;
    const layer = new rnn.LSTM({ inputSize: IN, hiddenSize: H, seed: 9 });
    if (int8.checked) layer.quantize();
    const s = layer.stream({ batch: 1 });
    try {
      const x = new Float32Array((MAX_T + BLOCK) * IN);
      for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37);
      // stream.step(), state carried: the time of the BLOCK steps that follow
      // each position (one step is below the timer's resolution), repeated
      // from the same saved state; the median of 5.
      // warm up (JIT, caches) before measuring anything
      for (let k = 0; k < 256; k++) s.step(x.subarray(k * IN, (k + 1) * IN));
      layer.forward(rnn.tensor([256, 1, IN], x.subarray(0, 256 * IN)));
      s.reset();
      await yieldTask();
      const stepUs = [];
      let t = 0;
      for (const pos of POSITIONS) {
        while (t < pos - 1) { s.step(x.subarray(t * IN, (t + 1) * IN)); t++; }
        const saved = s.getState();
        const reps = [];
        for (let r = 0; r < 5; r++) {
          s.setState(saved);
          const t0 = performance.now();
          for (let k = 0; k < BLOCK; k++) s.step(x.subarray((t + k) * IN, (t + k + 1) * IN));
          reps.push(((performance.now() - t0) / BLOCK) * 1000);
        }
        t += BLOCK;
        reps.sort((a, b) => a - b);
        stepUs.push(reps[2]);
        await yieldTask();
      }
      // forward() over x_0..x_{t-1} to get the output at t: what a model
      // without a carried state pays for each new element.
      const fwdUs = [];
      for (const pos of POSITIONS) {
        const xt = rnn.tensor([pos, 1, IN], x.subarray(0, pos * IN));
        // the fastest of three: noise from other work only ever adds time
        let best = Infinity;
        for (let r = 0; r < 5; r++) {
          best = Math.min(best, timeIt(() => layer.forward(xt), 2));
          await yieldTask(); // one timing per task: the page stays responsive while it measures
        }
        fwdUs.push(best * 1000);
      }
      const sorted = [...stepUs].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      state.result = { positions: [...POSITIONS], stepUs, stepMedianUs: median, forwardUs: fwdUs };
      timeChart.setData([xs, stepUs, fwdUs]);
      state.runs++;
      $('#bench-caption').textContent = `Measured just now${int8.checked ? ' with int8 weights' : ''}: one stream.step() takes about ${num(median, 2)} µs at every position; re-reading the prefix takes ${num(fwdUs[0], 2)} µs at t = 1 and ${num(fwdUs[fwdUs.length - 1], 3)} µs at t = ${int(MAX_T)} — it grows with t, like attention over a growing context. Memory: the LSTM carries 2 × ${H} = ${2 * H} floats whatever the length; a single Transformer layer of the same width caches 2 × ${H} × t floats (${int(2 * H * MAX_T)} at t = ${int(MAX_T)}).`;
      return state.result;
    } finally {
      s.dispose();
      layer.dispose();
      state.running = false;
      btn.disabled = false;
    }
  }
  btn.addEventListener('click', () => measure());
  // Measure once when the section first comes into view.
  const io = new IntersectionObserver((e) => {
    if (e.some((x) => x.isIntersecting)) { io.disconnect(); if (!state.runs) measure(); }
  }, { threshold: 0.2 });
  io.observe($('#bench-time'));

  return { get result() { return state.result; }, get runs() { return state.runs; }, measure };
}
