// gates.js - section 3: LSTM and GRU cell diagrams whose gates open a
// detail panel (role, equation, live per-unit heat map). A signal streams
// through both cells one step at a time with layer.stream({ taps: true }).
import { History, drawSignalBand, gradientCss, scaleFor } from './heatmap.js';
import { int8Switch } from './int8-switch.js';
import { tex } from './math.js';
import { streamPlayer } from './stream-player.js';
import { $, $$, fitCanvas, num, onThemeChange, palette } from './util.js';

const H = 16;                 // units per cell
const COLS = 120;             // time steps in the heat map

export const GATES = {
  forget: {
    cell: 'LSTM', tap: 'f', kind: 'gate', title: 'Forget gate', symbol: 'f_t',
    role: 'Decides, unit by unit, how much of the old cell state c<sub>t−1</sub> to keep: 1 keeps it, 0 erases it. The cell state is only ever multiplied by this gate, so a forget gate near 1 lets information — and the gradient — pass through many steps unchanged.',
    tex: 'f_t = \\sigma\\left(W_{if}\\, x_t + b_{if} + W_{hf}\\, h_{t-1} + b_{hf}\\right)',
  },
  input: {
    cell: 'LSTM', tap: 'i', kind: 'gate', title: 'Input gate', symbol: 'i_t',
    role: 'Decides how much of the candidate g<sub>t</sub> is written into the cell. With the forget gate it makes every update a learned blend: keep some of the old, add some of the new.',
    tex: 'i_t = \\sigma\\left(W_{ii}\\, x_t + b_{ii} + W_{hi}\\, h_{t-1} + b_{hi}\\right)',
  },
  candidate: {
    cell: 'LSTM', tap: 'g', kind: 'diverging', title: 'Candidate', symbol: 'g_t',
    role: 'The new content proposed for the cell, between −1 and 1 — what a vanilla RNN would use as its whole state. The input gate decides how much of it is actually written.',
    tex: 'g_t = \\tanh\\left(W_{ig}\\, x_t + b_{ig} + W_{hg}\\, h_{t-1} + b_{hg}\\right)',
  },
  cell: {
    cell: 'LSTM', tap: 'c', kind: 'diverging', title: 'Cell update', symbol: 'c_t',
    role: 'The long-term memory: the old state scaled by the forget gate, plus the gated candidate. Only an elementwise product and a sum — no weight matrix, no squashing — which is why this path carries information and gradients far. (Colours saturate beyond ±1.)',
    tex: 'c_t = f_t \\odot c_{t-1} + i_t \\odot g_t',
  },
  output: {
    cell: 'LSTM', tap: 'o', kind: 'gate', title: 'Output gate', symbol: 'o_t',
    role: 'Decides which parts of the squashed cell state become the output h<sub>t</sub> — which is also what every gate sees at the next step. The cell can hold on to something without showing it yet.',
    tex: '\\begin{aligned} o_t &= \\sigma\\left(W_{io}\\, x_t + b_{io} + W_{ho}\\, h_{t-1} + b_{ho}\\right) \\\\ h_t &= o_t \\odot \\tanh(c_t) \\end{aligned}',
  },
  reset: {
    cell: 'GRU', tap: 'r', kind: 'gate', title: 'Reset gate', symbol: 'r_t',
    role: 'Decides how much of the previous state feeds the candidate. Near 0 the candidate is computed almost from the input alone: the unit forgets its past and starts afresh.',
    tex: 'r_t = \\sigma\\left(W_{ir}\\, x_t + b_{ir} + W_{hr}\\, h_{t-1} + b_{hr}\\right)',
  },
  update: {
    cell: 'GRU', tap: 'z', kind: 'gate', title: 'Update gate', symbol: 'z_t',
    role: 'Blends old and new: near 1 a unit keeps its state (like an LSTM with the forget gate open and the input gate shut), near 0 it takes the candidate. One gate does both jobs, so a GRU has three blocks where an LSTM has four.',
    tex: 'z_t = \\sigma\\left(W_{iz}\\, x_t + b_{iz} + W_{hz}\\, h_{t-1} + b_{hz}\\right)',
  },
  'gru-candidate': {
    cell: 'GRU', tap: 'n', kind: 'diverging', title: 'Candidate', symbol: 'n_t',
    role: 'The proposed new state. PyTorch (like cuDNN) applies the reset gate after the recurrent matrix product, to W<sub>hn</sub>h<sub>t−1</sub> + b<sub>hn</sub> — which is why the GRU’s second bias is not redundant.',
    tex: '\\begin{aligned} n_t = \\tanh\\big(& W_{in}\\, x_t + b_{in} \\\\ & + r_t \\odot \\left(W_{hn}\\, h_{t-1} + b_{hn}\\right)\\big) \\end{aligned}',
  },
  'gru-hidden': {
    cell: 'GRU', tap: 'h', kind: 'diverging', title: 'New hidden state', symbol: 'h_t',
    role: 'An interpolation, unit by unit, between the previous state and the candidate, weighted by the update gate. There is no separate cell: h<sub>t</sub> is both the memory and the output.',
    tex: 'h_t = (1 - z_t) \\odot n_t + z_t \\odot h_{t-1}',
  },
};

export const SIGNALS = {
  sine: (n) => Math.sin(n * 0.16),
  square: (n) => (Math.sin(n * 0.1) >= 0 ? 0.9 : -0.9),
  bursts: (n) => { const p = n % 90; return p < 14 ? Math.sin(p * 0.9) * 1.2 : 0; },
  noise: (n) => { const s = Math.sin(n * 12.9898 + 78.233) * 43758.5453; return 2 * (s - Math.floor(s)) - 1; },
  chirp: (n) => { const p = n % 240; return Math.sin(0.0009 * p * p * 3 + 0.05 * p); },
};

export async function setup({ rnn }) {
  // Random (seeded) weights, larger than PyTorch's default for 16 units so
  // the gates swing visibly with the input.
  const make = (Cls, seed) => {
    const layer = new Cls({ inputSize: 1, hiddenSize: H, seed });
    const sd = layer.stateDict();
    sd.weight_ih_l0.data.forEach((v, i, a) => { a[i] = v * 7; });
    sd.weight_hh_l0.data.forEach((v, i, a) => { a[i] = v * 2.2; });
    layer.loadStateDict(sd);
    return layer;
  };
  const lstm = make(rnn.LSTM, 21), gru = make(rnn.GRU, 22);
  const streams = { LSTM: lstm.stream({ batch: 1, taps: true }), GRU: gru.stream({ batch: 1, taps: true }) };
  // int8 weights for both cells (sizes and step times of the LSTM); the streams pick them up
  let gruFloat = null;
  int8Switch($('#gate-int8'), {
    rnn, testid: 'gate-int8', target: () => ({ model: lstm, layer: lstm }),
    onChange: (on) => {
      if (on) gruFloat = gru.stateDict(), gru.quantize();
      else gru.dequantize().loadStateDict(gruFloat);
    },
  });
  const hist = {
    LSTM: Object.fromEntries(['i', 'f', 'g', 'o', 'c', 'h'].map((k) => [k, new History(H, COLS)])),
    GRU: Object.fromEntries(['r', 'z', 'n', 'h'].map((k) => [k, new History(H, COLS)])),
  };
  const input = new History(1, COLS);

  const state = { n: 0, selected: null, last: null, signal: 'sine' };
  const gateEls = $$('.gate');
  const detail = $('#gate-detail');
  const canvas = $('#gate-heat');
  const valuesEl = $('#gate-values');
  const stepEl = $('#gate-step');
  const x = new Float32Array(1);

  function step() {
    const v = SIGNALS[state.signal](state.n);
    x[0] = v;
    input.push(x);
    const taps = {};
    for (const cell of ['LSTM', 'GRU']) {
      streams[cell].step(x);
      const t = streams[cell].taps()[0];
      taps[cell] = t;
      for (const k of Object.keys(hist[cell])) hist[cell][k].push(t[k]);
    }
    state.last = taps;
    state.n++;
  }

  const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
  function meters() {
    if (!state.last) return;
    for (const g of gateEls) {
      const def = GATES[g.dataset.gate];
      const vals = state.last[def.cell][def.tap];
      const level = def.kind === 'gate' ? mean(vals) : Math.tanh(mean(vals.map(Math.abs)) * 1.5);
      const fill = g.querySelector('.meter-fill'), track = g.querySelector('.meter');
      fill.setAttribute('width', (Number(track.getAttribute('width')) * Math.max(0, Math.min(1, level))).toFixed(1));
    }
  }

  function drawDetail() {
    const def = GATES[state.selected];
    const { ctx, w, h } = fitCanvas(canvas);
    const p = palette();
    const band = 30;
    // the input signal, on top
    ctx.fillStyle = p.surface;
    ctx.fillRect(0, 0, w, band);
    drawSignalBand(ctx, input, w, band, p);
    const scale = scaleFor(def.kind, p.dark);
    hist[def.cell][def.tap].draw(ctx, 0, band + 2, w, h - band - 2, scale, p.surface);
    // values now
    const now = state.last?.[def.cell]?.[def.tap];
    if (now) {
      let lo = Infinity, hi = -Infinity;
      for (const v of now) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      valuesEl.textContent = `mean ${num(mean(now), 3)} · min ${num(lo, 3)} · max ${num(hi, 3)} over ${H} units (step ${state.n})`;
    }
  }

  async function select(key, { focus = false } = {}) {
    const def = GATES[key];
    if (!def) return;
    state.selected = key;
    for (const g of gateEls) g.setAttribute('aria-pressed', String(g.dataset.gate === key));
    const color = getComputedStyle($(`.gate[data-gate="${key}"]`)).getPropertyValue('--gate');
    detail.style.setProperty('--gate', color.trim() || 'var(--accent)');
    detail.dataset.gate = key;
    $('#gate-detail-cell').textContent = def.cell === 'LSTM' ? 'LSTM' : 'GRU';
    $('#gate-detail-title').textContent = `${def.title}`;
    $('#gate-detail-role').innerHTML = def.role;
    const sc = scaleFor(def.kind, palette().dark);
    $('#gate-scale-lo').textContent = def.kind === 'gate' ? '0' : '−1';
    $('#gate-scale-hi').textContent = def.kind === 'gate' ? '1' : '+1';
    $('#gate-scale-bar').style.background = gradientCss(sc);
    canvas.setAttribute('aria-label', `Heat map of the ${def.cell} ${def.title.toLowerCase()} ${def.symbol}: ${H} units over the last ${COLS} steps, from ${def.kind === 'gate' ? '0 to 1' : '−1 to +1'}`);
    const eq = $('#gate-equation');
    eq.dataset.tex = def.tex;
    await tex(eq, def.tex, true);
    drawDetail();
    if (focus) detail.focus({ preventScroll: true });
  }

  for (const g of gateEls) {
    g.addEventListener('click', () => select(g.dataset.gate));
    // Keyboard focus shows a gate too (Tab through them); Enter / Space as well.
    g.addEventListener('focus', () => { if (state.selected !== g.dataset.gate) select(g.dataset.gate); });
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(g.dataset.gate); }
    });
  }

  // ---- the stream loop: a few steps per frame while visible -------------
  const player = streamPlayer({
    card: $('.gate-card'), button: $('#gate-play'), step,
    draw: () => { meters(); drawDetail(); stepEl.textContent = String(state.n); },
  });
  $('#gate-signal').addEventListener('change', (e) => { state.signal = e.target.value; });
  onThemeChange(() => { if (state.selected) select(state.selected); });
  new ResizeObserver(() => { if (state.selected) drawDetail(); }).observe(canvas);

  // Warm up so the heat map is full from the start.
  for (let i = 0; i < COLS; i++) step();
  meters();
  await select('forget');
  stepEl.textContent = String(state.n);
  player.setPlaying(player.playing);

  return {
    get selected() { return state.selected; },
    get step() { return state.n; },
    get playing() { return player.playing; },
    /** The last step's taps of both cells, as plain arrays. */
    get values() {
      const out = {};
      for (const cell of ['LSTM', 'GRU']) out[cell] = Object.fromEntries(Object.entries(state.last[cell]).map(([k, v]) => [k, [...v]]));
      return out;
    },
    select,
  };
}
