// app.js - the demo: train a small recurrent network on the real engine to
// predict the next value of a sine wave, in chunks so the page stays live.
import { init } from '../dist/index.js';

const HIDDEN = 16;       // hidden units
const BATCH = 8;         // waves per training step
const SEQ = 32;          // time steps per wave
const DT = 0.25;         // radians between time steps
const LR = 0.01;         // Adam learning rate (network and read-out)
const SEED = 1;          // weights and data are reproducible
const EVAL_SEQ = 96;     // the held-out wave is longer than the training ones
const FRAME_BUDGET_MS = 12;

const $ = (id) => document.getElementById(id);
const ui = {
  backend: $('backend'), status: $('status'), model: $('model'), start: $('start'),
  reset: $('reset'), steps: $('steps'), loss: $('loss'), rate: $('rate'), params: $('params'),
  lossPlot: $('loss-plot'), predPlot: $('pred-plot'), batchDesc: $('batch-desc'),
};

// What tests (and curious people in the console) can read.
const demo = {
  backend: null, model: 'LSTM', status: 'loading', running: false, steps: 0,
  loss: null, firstLoss: null, history: [], error: null,
};
window.__demo = demo;

// mulberry32: a tiny seeded PRNG for the data and the read-out's init.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The linear read-out y = w·h + b (the engine has no Linear layer yet), with
// its own Adam (torch.optim.Adam's update, in float64).
class ReadOut {
  constructor(H, rand) {
    const bound = 1 / Math.sqrt(H); // nn.Linear's default init range
    this.w = Float64Array.from({ length: H }, () => (2 * rand() - 1) * bound);
    this.b = (2 * rand() - 1) * bound;
    this.gw = new Float64Array(H);
    this.gb = 0;
    this.m = new Float64Array(H + 1);
    this.v = new Float64Array(H + 1);
    this.t = 0;
  }

  adamStep(lr, b1 = 0.9, b2 = 0.999, eps = 1e-8) {
    this.t++;
    const c1 = 1 - b1 ** this.t, c2 = 1 - b2 ** this.t;
    const H = this.w.length;
    for (let i = 0; i <= H; i++) {
      const g = i < H ? this.gw[i] : this.gb;
      this.m[i] = b1 * this.m[i] + (1 - b1) * g;
      this.v[i] = b2 * this.v[i] + (1 - b2) * g * g;
      const upd = (lr * (this.m[i] / c1)) / (Math.sqrt(this.v[i] / c2) + eps);
      if (i < H) this.w[i] -= upd; else this.b -= upd;
    }
  }
}

let rnn = null;     // the engine API
let state = null;   // { net, opt, head, rand, x, y, dOut }
let rafId = 0;
let rate = { t: 0, steps: 0 };

function setStatus(text, kind = '') {
  ui.status.textContent = text;
  ui.status.className = kind;
}

function fail(err) {
  console.error(err);
  stop();
  demo.error = String(err?.message ?? err);
  demo.status = 'error';
  setStatus(`Error: ${demo.error}`, 'error');
}

function build(kind) {
  dispose();
  const opts = { inputSize: 1, hiddenSize: HIDDEN, seed: SEED };
  const net = kind === 'GRU' ? new rnn.GRU(opts)
    : kind === 'RNN' ? new rnn.RNN({ ...opts, nonlinearity: 'tanh' })
      : new rnn.LSTM(opts);
  const rand = prng(SEED);
  state = {
    net,
    opt: new rnn.Adam(net.parameters(), { lr: LR }),
    head: new ReadOut(HIDDEN, rand),
    rand,
    x: rnn.tensor([SEQ, BATCH, 1]),
    y: new Float32Array(SEQ * BATCH),
    dOut: rnn.tensor([SEQ, BATCH, HIDDEN]),
    evalX: rnn.tensor([EVAL_SEQ, 1, 1], Array.from({ length: EVAL_SEQ }, (_, t) => Math.sin(1 + t * DT))),
    evalPred: new Float32Array(EVAL_SEQ),
  };
  Object.assign(demo, { model: kind, steps: 0, loss: null, firstLoss: null, history: [], error: null });
  ui.params.textContent = (net.numParams + HIDDEN + 1).toLocaleString('en-US');
  evaluate();
  render();
}

function dispose() {
  if (!state) return;
  state.opt.dispose();
  state.net.dispose();
  state = null;
}

// One training step; returns the batch's mean squared error.
function trainStep() {
  const { net, opt, head, rand, x, y, dOut } = state;
  for (let b = 0; b < BATCH; b++) {
    const phase = rand() * 2 * Math.PI;
    for (let t = 0; t < SEQ; t++) {
      x.data[t * BATCH + b] = Math.sin(phase + t * DT);
      y[t * BATCH + b] = Math.sin(phase + (t + 1) * DT);
    }
  }
  opt.zeroGrad();
  const h = net.forward(x).output.data; // [SEQ, BATCH, HIDDEN]
  const n = SEQ * BATCH, H = HIDDEN, w = head.w, gw = head.gw, d = dOut.data;
  gw.fill(0);
  let gb = 0, sse = 0;
  for (let i = 0; i < n; i++) {
    const o = i * H;
    let pred = head.b;
    for (let k = 0; k < H; k++) pred += w[k] * h[o + k];
    const err = pred - y[i];
    sse += err * err;
    const g = (2 * err) / n; // d(MSE)/d(pred)
    gb += g;
    for (let k = 0; k < H; k++) {
      gw[k] += g * h[o + k];
      d[o + k] = g * w[k];
    }
  }
  head.gb = gb;
  net.backward({ dOutput: dOut });
  opt.step();
  head.adamStep(LR);
  return sse / n;
}

// The prediction on the held-out wave, for the right-hand plot.
function evaluate() {
  const { net, head, evalX, evalPred } = state;
  const h = net.forward(evalX).output.data;
  for (let t = 0; t < EVAL_SEQ; t++) {
    let pred = head.b;
    for (let k = 0; k < HIDDEN; k++) pred += head.w[k] * h[t * HIDDEN + k];
    evalPred[t] = pred;
  }
}

function frame() {
  rafId = 0;
  if (!demo.running) return;
  try {
    const t0 = performance.now();
    do {
      const loss = trainStep();
      if (!Number.isFinite(loss)) throw new Error(`the loss diverged (${loss}) at step ${demo.steps + 1}`);
      demo.steps++;
      demo.loss = loss;
      demo.firstLoss ??= loss;
      demo.history.push(loss);
    } while (performance.now() - t0 < FRAME_BUDGET_MS);
    evaluate();
  } catch (err) {
    fail(err);
    return;
  }
  const now = performance.now();
  if (now - rate.t >= 500) {
    ui.rate.textContent = Math.round(((demo.steps - rate.steps) * 1000) / (now - rate.t)).toLocaleString('en-US');
    rate = { t: now, steps: demo.steps };
  }
  render();
  rafId = requestAnimationFrame(frame);
}

function start() {
  if (demo.running || !state) return;
  demo.running = true;
  demo.status = 'training';
  rate = { t: performance.now(), steps: demo.steps };
  ui.start.textContent = 'Stop';
  ui.start.setAttribute('aria-pressed', 'true');
  setStatus(`Training ${demo.model}…`);
  rafId = requestAnimationFrame(frame);
}

function stop() {
  if (rafId) cancelAnimationFrame(rafId);
  rafId = 0;
  if (!demo.running) return;
  demo.running = false;
  demo.status = 'stopped';
  ui.start.textContent = 'Start';
  ui.start.setAttribute('aria-pressed', 'false');
  ui.rate.textContent = '–';
  setStatus(`Stopped after ${demo.steps.toLocaleString('en-US')} steps`);
}

function resetTo(kind) {
  const wasRunning = demo.running;
  stop();
  try {
    build(kind);
  } catch (err) {
    fail(err);
    return;
  }
  demo.status = 'ready';
  setStatus(`Ready: ${kind === 'RNN' ? 'RNN (tanh)' : kind}, ${HIDDEN} hidden units`);
  if (wasRunning) start();
}

// ---- drawing -------------------------------------------------------------

function colors() {
  const cs = getComputedStyle(document.documentElement);
  const v = (name) => cs.getPropertyValue(name).trim();
  return { fg: v('--fg'), muted: v('--muted'), grid: v('--grid'), accent: v('--accent'), accent2: v('--accent2') };
}

// Sizes the canvas backing store to its CSS box; returns a 2D context in CSS pixels.
function setup(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth)), h = Math.max(1, Math.round(canvas.clientHeight));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = '11px system-ui, sans-serif';
  ctx.lineJoin = 'round';
  return { ctx, w, h };
}

function drawLoss(c) {
  const { ctx, w, h } = setup(ui.lossPlot);
  const hist = demo.history;
  const pad = { l: 44, r: 10, t: 10, b: 22 };
  const pw = w - pad.l - pad.r, ph = h - pad.t - pad.b;
  if (hist.length === 0) {
    ctx.fillStyle = c.muted;
    ctx.textAlign = 'center';
    ctx.fillText('Press Start to train', w / 2, h / 2);
    return;
  }
  // Bucket the history into at most one point per pixel column (mean, min, max).
  const cols = Math.max(1, Math.min(hist.length, Math.floor(pw)));
  const mean = new Float64Array(cols), lo = new Float64Array(cols), hi = new Float64Array(cols);
  for (let i = 0; i < cols; i++) {
    const a = Math.floor((i * hist.length) / cols), e = Math.max(a + 1, Math.floor(((i + 1) * hist.length) / cols));
    let s = 0, mn = Infinity, mx = -Infinity;
    for (let j = a; j < e; j++) { s += hist[j]; mn = Math.min(mn, hist[j]); mx = Math.max(mx, hist[j]); }
    mean[i] = s / (e - a); lo[i] = mn; hi[i] = mx;
  }
  const floor = 1e-6;
  let ymin = Infinity, ymax = -Infinity;
  for (let i = 0; i < cols; i++) { ymin = Math.min(ymin, lo[i]); ymax = Math.max(ymax, hi[i]); }
  let l0 = Math.floor(Math.log10(Math.max(ymin, floor))), l1 = Math.ceil(Math.log10(Math.max(ymax, floor)));
  if (l1 <= l0) l1 = l0 + 1;
  const X = (i) => pad.l + (cols === 1 ? pw / 2 : (i * pw) / (cols - 1));
  const Y = (v) => pad.t + ph * (1 - (Math.log10(Math.max(v, floor)) - l0) / (l1 - l0));

  ctx.strokeStyle = c.grid;
  ctx.fillStyle = c.muted;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let p = l0; p <= l1; p++) {
    const y = Math.round(Y(10 ** p)) + 0.5;
    ctx.beginPath(); ctx.moveTo(pad.l, y); ctx.lineTo(w - pad.r, y); ctx.stroke();
    ctx.fillText(p === 0 ? '1' : `1e${p}`, pad.l - 6, y);
  }
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  ctx.fillText('step 1', pad.l, h - 6);
  ctx.textAlign = 'right';
  ctx.fillText(`step ${hist.length.toLocaleString('en-US')}`, w - pad.r, h - 6);

  // min-max band, then the mean line
  ctx.globalAlpha = 0.22;
  ctx.fillStyle = c.accent;
  ctx.beginPath();
  for (let i = 0; i < cols; i++) ctx.lineTo(X(i), Y(hi[i]));
  for (let i = cols - 1; i >= 0; i--) ctx.lineTo(X(i), Y(lo[i]));
  ctx.closePath();
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = c.accent;
  ctx.lineWidth = 1.75;
  ctx.beginPath();
  for (let i = 0; i < cols; i++) ctx.lineTo(X(i), Y(mean[i]));
  ctx.stroke();
}

function drawPrediction(c) {
  const { ctx, w, h } = setup(ui.predPlot);
  if (!state) return;
  const pad = { l: 30, r: 10, t: 10, b: 10 };
  const pw = w - pad.l - pad.r, ph = h - pad.t - pad.b;
  const X = (t) => pad.l + (t * pw) / (EVAL_SEQ - 1);
  const Y = (v) => pad.t + ph * (1 - (Math.max(-1.5, Math.min(1.5, v)) + 1.5) / 3);
  ctx.strokeStyle = c.grid;
  ctx.fillStyle = c.muted;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of [-1, 0, 1]) {
    const y = Math.round(Y(v)) + 0.5;
    ctx.beginPath(); ctx.moveTo(pad.l, y); ctx.lineTo(w - pad.r, y); ctx.stroke();
    ctx.fillText(String(v), pad.l - 6, y);
  }
  const line = (f, color, width) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    for (let t = 0; t < EVAL_SEQ; t++) ctx.lineTo(X(t), Y(f(t)));
    ctx.stroke();
  };
  // The target wide and faint underneath, so it still shows once the prediction fits it.
  ctx.globalAlpha = 0.45;
  line((t) => Math.sin(1 + (t + 1) * DT), c.muted, 6);
  ctx.globalAlpha = 1;
  line((t) => state.evalPred[t], c.accent2, 1.75);
}

function render() {
  ui.steps.textContent = demo.steps.toLocaleString('en-US');
  ui.loss.textContent = demo.loss == null ? '–' : demo.loss.toPrecision(3);
  const c = colors();
  drawLoss(c);
  drawPrediction(c);
}

// ---- start-up -------------------------------------------------------------

ui.batchDesc.textContent = `${BATCH} waves of ${SEQ} steps`;
ui.start.addEventListener('click', () => (demo.running ? stop() : start()));
ui.reset.addEventListener('click', () => resetTo(ui.model.value));
ui.model.addEventListener('change', () => resetTo(ui.model.value));
new ResizeObserver(() => render()).observe(ui.lossPlot);
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => render());

try {
  rnn = await init();
  demo.backend = rnn.backend;
  ui.backend.textContent = rnn.backend;
  ui.model.value = 'LSTM';
  resetTo('LSTM');
  ui.start.disabled = false;
  ui.reset.disabled = false;
  ui.model.disabled = false;
} catch (err) {
  ui.backend.textContent = 'unavailable';
  fail(err);
}
