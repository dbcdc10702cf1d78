// questions.js - section "Questions", each answered by the engine: the
// hidden versus the cell state of a live LSTM stream (stream.step() with
// taps: c grows and carries, h stays within ±1), the fixed-size state of
// that same stream against a Transformer's growing cache ("are LSTMs
// obsolete?"), and padding read as steps versus lengths (variable lengths).
import { chart } from './charts.js';
import { $, bindOutput, int, num, numberOf, showPlaying, visibility } from './util.js';

const H = 16, SEED = 4, WINDOW = 400, STEPS_PER_FRAME = 4;
const PAD_SEQ = Float32Array.of(0.9, -0.5, 0.3, 1, -1, 0.6);

const SIGNALS = {
  bursts: (t) => (t % 150 >= 10 && t % 150 < 40 ? 1 : 0),
  constant: () => 1,
  sine: (t) => Math.sin((2 * Math.PI * t) / 50),
};

const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
function dist(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

export async function setup({ rnn }) {
  const signal = $('#state-signal'), bias = $('#state-bias'), play = $('#state-play'), pad = $('#pad-steps');
  bindOutput(bias, (v) => v.toFixed(1));
  bindOutput(pad, (v) => String(v));
  const lstm = new rnn.LSTM({ inputSize: 1, hiddenSize: H, seed: SEED });
  const initial = lstm.stateDict();
  const stream = lstm.stream({ batch: 1, taps: true });
  const xin = new Float32Array(1);
  // the rolling window: step numbers, max |c|, max |h|, input
  const win = { t: [], c: [], h: [], x: [] };
  const state = { steps: 0, usPerStep: null, maxH: 0, maxC: 0, playing: false, padding: null, runs: 0 };

  function setForgetBias(b) {
    // LSTM gate order i, f, g, o: the forget gate is rows H..2H of the biases.
    const sd = { bias_ih_l0: initial.bias_ih_l0, bias_hh_l0: initial.bias_hh_l0 };
    const bih = Float32Array.from(sd.bias_ih_l0.data), bhh = Float32Array.from(sd.bias_hh_l0.data);
    for (let j = H; j < 2 * H; j++) { bih[j] = b; bhh[j] = 0; }
    lstm.loadStateDict({ ...initial, bias_ih_l0: rnn.tensor([4 * H], bih), bias_hh_l0: rnn.tensor([4 * H], bhh) });
  }

  const plot = await chart($('#state-chart'), (p, axis) => ({
    scales: { x: { time: false }, y: { range: (u, lo, hi) => [Math.min(0, lo), Math.max(1.2, hi * 1.08)] } },
    axes: [axis(p, 'step t of the stream'), axis(p, 'max |value| over units', { size: 50 })],
    series: [{},
      { label: 'max |c_t|', stroke: p.dark ? '#22d3ee' : '#0891b2', width: 2.25, points: { show: false } },
      { label: 'max |h_t|', stroke: p.lstm, width: 2.25, points: { show: false } },
      { label: 'input', stroke: p.muted, width: 1.25, dash: [4, 4], points: { show: false } }],
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
  }), [[0], [0], [0], [0]], { height: () => (window.innerWidth < 640 ? 220 : 260) });

  /** n more steps of the stream, timed as one block (one step is below the timer's resolution). */
  function advance(n) {
    const f = SIGNALS[signal.value];
    const t0 = performance.now();
    for (let k = 0; k < n; k++) {
      const t = state.steps++;
      xin[0] = f(t);
      stream.step(xin);
      const [{ c, h }] = stream.taps();
      win.t.push(t + 1); win.c.push(maxAbs(c)); win.h.push(maxAbs(h)); win.x.push(xin[0]);
    }
    const us = ((performance.now() - t0) * 1000) / n;
    state.usPerStep = state.usPerStep == null ? us : 0.9 * state.usPerStep + 0.1 * us;
    for (const k of Object.keys(win)) if (win[k].length > WINDOW) win[k].splice(0, win[k].length - WINDOW);
    state.maxH = Math.max(...win.h);
    state.maxC = Math.max(...win.c);
  }

  function show() {
    plot.setData([win.t, win.c, win.h, win.x]);
    const cAt = win.t[win.c.indexOf(state.maxC)];
    $('#state-caption').textContent = `Steps ${int(win.t[0])}–${int(win.t[win.t.length - 1])} of the stream: the largest |c_t| is ${num(state.maxC, 3)} (step ${int(cAt)}), the largest |h_t| ${num(state.maxH, 3)}. `
      + `h never leaves ±1 because it is tanh(c) times a gate in (0, 1); c has no such bound and, with the forget gate near σ(${numberOf(bias)}) = ${num(1 / (1 + Math.exp(-numberOf(bias))), 3)}, keeps most of its value from one step to the next and adds up what the input gate lets in.`;
    $('#obsolete-steps').textContent = int(state.steps);
    $('#obsolete-us').textContent = `${num(state.usPerStep, 2)} µs`;
    $('#obsolete-state').textContent = `${int(2 * H)} floats`;
    $('#obsolete-kv').textContent = `${int(2 * H * state.steps)} floats`;
  }

  function restart() {
    setForgetBias(numberOf(bias));
    stream.reset();
    state.steps = 0;
    state.usPerStep = null;
    for (const k of Object.keys(win)) win[k].length = 0;
    advance(WINDOW);
    show();
    state.runs++;
  }

  // ---- keep streaming: a few steps per frame, only while the chart is on screen
  const seen = visibility($('#state-chart'));
  let raf = 0;
  function frame() {
    raf = 0;
    if (!state.playing) return;
    if (seen.visible) { advance(STEPS_PER_FRAME); show(); }
    raf = requestAnimationFrame(frame);
  }
  function setPlaying(on) {
    state.playing = on;
    showPlaying(play, on, 'Keep streaming');
    if (on && !raf) raf = requestAnimationFrame(frame);
  }
  play.addEventListener('click', () => setPlaying(!state.playing));

  // ---- variable lengths: padding read as steps versus lengths ---------------
  function padding() {
    const k = numberOf(pad), n = PAD_SEQ.length;
    const x = new Float32Array(n + k);
    x.set(PAD_SEQ);
    const hOf = (r) => Float32Array.from(r.hN.data);
    const ref = hOf(lstm.forward(rnn.tensor([n, 1, 1], PAD_SEQ)));
    const asSteps = hOf(lstm.forward(rnn.tensor([n + k, 1, 1], x)));
    const withLengths = hOf(lstm.forward(rnn.tensor([n + k, 1, 1], x), { lengths: Int32Array.of(n) }));
    state.padding = { k, asSteps: dist(asSteps, ref), withLengths: dist(withLengths, ref) };
    $('[data-testid=pad-diff-steps]').textContent = num(state.padding.asSteps, 3);
    $('[data-testid=pad-diff-lengths]').textContent = state.padding.withLengths === 0 ? '0 (exactly)' : num(state.padding.withLengths, 3);
  }

  signal.addEventListener('change', restart);
  bias.addEventListener('input', () => { restart(); padding(); });
  pad.addEventListener('input', padding);
  restart();
  padding();

  return {
    get steps() { return state.steps; },
    get maxH() { return state.maxH; },
    get maxC() { return state.maxC; },
    get usPerStep() { return state.usPerStep; },
    get padding() { return state.padding; },
    get playing() { return state.playing; },
    get runs() { return state.runs; },
    window: win,
    setPlaying,
  };
}
