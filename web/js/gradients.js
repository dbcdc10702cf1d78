// gradients.js - section 2: ||dL/dh|| against the distance from the loss,
// for RNN, LSTM and GRU, computed exactly by the engine's BPTT.
//
// Method (also explained on the page): L = g . h_{T-1} for a fixed unit
// vector g. One forward over x_0..x_{T-1} records every h_t (and c_t with
// taps). Then ONE batched forward + backward: batch entry k (k = 1..T)
// restarts from the recorded h_{T-1-k} (c_{T-1-k}; zeros for k = T) and
// replays the last k inputs, padded to T steps with packed lengths, so its
// final state is again h_{T-1}. backward({ dhN: g }) then returns
// dh0[k] = dL/dh_{T-1-k} (and dc0[k] = dL/dc_{T-1-k}) for every k at once.
// k = 0 is dL/dh_{T-1} = g (norm 1).
import { chart } from './charts.js';
import { $, bindOutput, debounce, el, num, numberOf, prng, yieldTask } from './util.js';

const HID = 32, INP = 4, SEED = 3;

function norm(a, off, n) {
  let s = 0;
  for (let i = off; i < off + n; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * { dh, dc } per distance k = 0..T (dc LSTM only; null where undefined).
 * `between` runs after the forward passes, before the backward (the page
 * yields there: each half is its own short task).
 */
export async function gradientNorms(rnn, kind, { T, scale, gateBias }, between = async () => {}) {
  const layer = new rnn[kind]({ inputSize: INP, hiddenSize: HID, seed: SEED });
  try {
    const sd = layer.stateDict();
    sd.weight_hh_l0.data.forEach((v, i, a) => { a[i] = v * scale; });
    if (kind !== 'RNN') {
      // LSTM gate order i, f, g, o: forget = rows H..2H. GRU r, z, n: update = rows H..2H.
      for (let j = HID; j < 2 * HID; j++) { sd.bias_ih_l0.data[j] = gateBias; sd.bias_hh_l0.data[j] = 0; }
    }
    layer.loadStateDict(sd);
    const rand = prng(1234);
    const x = new Float32Array(T * INP);
    for (let i = 0; i < x.length; i++) x[i] = 2 * rand() - 1;
    const g = new Float32Array(HID);
    for (let i = 0; i < HID; i++) g[i] = rand() - 0.5;
    const gn = norm(g, 0, HID);
    for (let i = 0; i < HID; i++) g[i] /= gn;

    const lstm = kind === 'LSTM';
    const full = layer.forward(rnn.tensor([T, 1, INP], x), { taps: lstm });
    const hs = full.output.data, cs = lstm ? full.taps[0].c.data : null;

    const B = T;
    const xb = new Float32Array(T * B * INP), h0 = new Float32Array(B * HID), c0 = new Float32Array(B * HID);
    const lengths = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const k = b + 1;
      lengths[b] = k;
      for (let t = 0; t < k; t++) xb.set(x.subarray((T - k + t) * INP, (T - k + t + 1) * INP), (t * B + b) * INP);
      if (k < T) {
        h0.set(hs.subarray((T - 1 - k) * HID, (T - k) * HID), b * HID);
        if (cs) c0.set(cs.subarray((T - 1 - k) * HID, (T - k) * HID), b * HID);
      }
    }
    const st = { h0: rnn.tensor([1, B, HID], h0), lengths };
    if (lstm) st.c0 = rnn.tensor([1, B, HID], c0);
    layer.forward(rnn.tensor([T, B, INP], xb), st);
    await between();
    const dhN = new Float32Array(B * HID);
    for (let b = 0; b < B; b++) dhN.set(g, b * HID);
    const back = layer.backward({ dhN: rnn.tensor([1, B, HID], dhN) });
    const dh = [1], dc = [null];
    for (let b = 0; b < B; b++) {
      dh.push(norm(back.dh0.data, b * HID, HID));
      dc.push(lstm ? norm(back.dc0.data, b * HID, HID) : null);
    }
    return { dh, dc: lstm ? dc : null };
  } finally {
    layer.dispose();
  }
}

const pow10 = (e) => (e === 0 ? '1' : `1e${e < 0 ? '−' : ''}${Math.abs(e)}`);

export async function setup({ rnn }) {
  const scale = $('#grad-scale'), length = $('#grad-length'), bias = $('#grad-bias');
  bindOutput(scale, (v) => `× ${v}`);
  bindOutput(length, (v) => String(v));
  bindOutput(bias, (v) => v.toFixed(1));
  const state = { result: null, computing: false, runs: 0 };

  const legend = $('#grad-legend');
  const keys = [['RNN', 'var(--c-rnn)', false, 'RNN ‖∂L/∂h‖'], ['LSTM', 'var(--c-lstm)', false, 'LSTM ‖∂L/∂h‖'],
    ['LSTM-c', 'var(--c-lstm)', true, 'LSTM ‖∂L/∂c‖ (cell path)'], ['GRU', 'var(--c-gru)', false, 'GRU ‖∂L/∂h‖']];
  for (const [, color, dashed, label] of keys) {
    legend.append(el('span', { class: 'key', style: `color:${color}` }, el('span', { class: `line${dashed ? ' dashed' : ''}` }), el('span', { style: 'color:var(--ink-2)' }, label)));
  }

  const empty = [[0, 1], [1, 1], [1, 1], [null, null], [1, 1]];
  const plot = await chart($('#grad-chart'), (p, axis) => ({
    scales: { x: { time: false }, y: { distr: 3, log: 10 } },
    axes: [
      axis(p, 'k: steps back from the loss'),
      axis(p, 'gradient norm (log scale)', {
        size: 70,
        splits: (u, ai, min, max) => {
          const lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
          const step = Math.max(1, Math.ceil((hi - lo) / 6));
          const out = [];
          for (let e = hi; e >= lo; e -= step) out.unshift(10 ** e);
          return out;
        },
        filter: (u, splits) => splits,
        values: (u, splits) => splits.map((v) => (v > 0 ? pow10(Math.round(Math.log10(v))) : '')),
      }),
    ],
    series: [
      {},
      { label: 'RNN', stroke: p.rnn, width: 2.25, points: { show: false } },
      { label: 'LSTM', stroke: p.lstm, width: 2.25, points: { show: false } },
      { label: 'LSTM cell', stroke: p.lstm, width: 1.5, dash: [5, 4], points: { show: false } },
      { label: 'GRU', stroke: p.gru, width: 2.25, points: { show: false } },
    ],
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 7 } },
  }), empty, { height: () => (window.innerWidth < 640 ? 240 : 300), title: 'Gradient norm against the number of steps back from the loss' });

  const stats = $('#grad-stats');
  async function compute() {
    if (state.computing) { state.again = true; return; }
    state.computing = true;
    const opts = { T: numberOf(length), scale: numberOf(scale), gateBias: numberOf(bias) };
    const out = {};
    for (const kind of ['RNN', 'LSTM', 'GRU']) {
      out[kind] = await gradientNorms(rnn, kind, opts, yieldTask);
      await yieldTask(); // each cell's forward and backward in tasks of their own
    }
    const xs = Array.from({ length: opts.T + 1 }, (_, k) => k);
    const clean = (a) => a.map((v) => (v > 0 && Number.isFinite(v) ? v : null));
    plot.setData([xs, clean(out.RNN.dh), clean(out.LSTM.dh), clean(out.LSTM.dc), clean(out.GRU.dh)]);
    state.result = { opts, RNN: out.RNN.dh, LSTM: out.LSTM.dh, LSTMc: out.LSTM.dc, GRU: out.GRU.dh };
    state.runs++;
    const k = Math.min(50, opts.T);
    stats.textContent = '';
    for (const [kind, color] of [['RNN', 'var(--c-rnn)'], ['LSTM', 'var(--c-lstm)'], ['GRU', 'var(--c-gru)']]) {
      stats.append(el('div', {}, el('dt', { style: `color:${color}` }, `${kind} at k = ${k}`), el('dd', {}, num(out[kind].dh[k], 2))));
    }
    state.computing = false;
    if (state.again) { state.again = false; compute(); }
  }
  const recompute = debounce(compute, 120);
  for (const input of [scale, length, bias]) input.addEventListener('input', recompute);
  await yieldTask(); // the chart, then the numbers: tasks of their own
  await compute();
  return {
    get result() { return state.result; },
    get runs() { return state.runs; },
    compute,
  };
}
