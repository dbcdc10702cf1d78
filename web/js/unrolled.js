// unrolled.js - section 1: a vanilla RNN unrolled over six steps, animating
// a real forward pass (one stream.step() per tick) and showing that the same
// three weight matrices serve every step.
import { colorOf, inkOn, scaleFor } from './heatmap.js';
import { $, el, num, onThemeChange, palette, prng, reducedMotion, showPlaying, visibility } from './util.js';

const H = 4;           // hidden units
const T = 6;           // unrolled steps
const TICK_MS = 950;   // one step per tick while playing

const PATTERNS = {
  impulse: () => [1, 0, 0, 0, 0, 0],
  step: () => [0, 0, 1, 1, 1, 1],
  sine: () => Array.from({ length: T }, (_, t) => Math.sin(0.5 + t * 1.05)),
  alternating: () => Array.from({ length: T }, (_, t) => (t % 2 ? -1 : 1)),
  random: () => { const r = prng(Math.floor(Math.random() * 1e9)); return Array.from({ length: T }, () => 2 * r() - 1); },
};

// Geometry of the SVG (viewBox units).
const W = 840, HGT = 330;
const colX = (t) => 180 + t * 122;  // centre of step t
const H0X = 68;
const CELL = { w: 74, h: 74, y: 126 };
const UNIT = 13, GAP = 3;

function sub(base, subscript, attrs = {}) {
  return el('text', attrs, base, el('tspan', { dy: 4, 'font-size': '0.78em' }, subscript));
}

export async function setup({ rnn }) {
  const svg = $('#unrolled');
  const weightsBox = $('#unrolled-weights');
  const calc = $('#unrolled-calc');
  const tLabel = $('#unrolled-t');
  const playBtn = $('#unrolled-play');
  const inputSel = $('#unrolled-input');

  // The model: RNN(1 -> 4, tanh) and a read-out Linear(4 -> 1). PyTorch's
  // initialisation, with larger weights so that a 4-unit state visibly
  // carries an input for a few steps.
  const layer = new rnn.RNN({ inputSize: 1, hiddenSize: H, seed: 5 });
  const readout = new rnn.Linear({ inFeatures: H, outFeatures: 1, seed: 6 });
  const sd = layer.stateDict();
  sd.weight_ih_l0.data.forEach((v, i, a) => { a[i] = v * 3.2; });
  sd.weight_hh_l0.data.forEach((v, i, a) => { a[i] = v * 2.4; });
  layer.loadStateDict(sd);
  const w = {
    xh: layer.stateDict().weight_ih_l0.data,          // [H, 1]
    hh: layer.stateDict().weight_hh_l0.data,          // [H, H]
    b: layer.stateDict().bias_ih_l0.data.map((v, i) => v + sd.bias_hh_l0.data[i]),
    hy: readout.stateDict().weight.data,              // [1, H]
    by: readout.stateDict().bias.data[0],
  };
  const stream = layer.stream({ batch: 1 });

  const state = {
    inputs: PATTERNS.impulse(), t: -1, hs: [], ys: [], playing: false, timer: 0, checkDiff: null, steps: 0,
  };

  // ---- the diagram ------------------------------------------------------
  svg.setAttribute('viewBox', `0 0 ${W} ${HGT}`);
  const defs = el('defs', {}, el('marker', {
    id: 'uarrow', viewBox: '0 0 10 10', refX: 8, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, el('path', { d: 'M0 1 9 5 0 9z', fill: 'var(--faint)' })));
  svg.append(defs);

  const wlabel = (kind, x, y, text) => {
    const g = el('g', { class: `wlabel ${kind}`, tabindex: 0, role: 'img', 'aria-label': `${text}: the same matrix at every step` });
    const wd = 40;
    g.append(el('rect', { x: x - wd / 2, y: y - 10, width: wd, height: 20, rx: 6 }));
    const [base, s] = text.split('_');
    g.append(sub(base, s, { x, y: y + 3.5, 'text-anchor': 'middle' }));
    const on = () => { svg.classList.add(`hl-${kind}`); weightsBox.parentElement.classList.add(`hl-${kind}`); };
    const off = () => { svg.classList.remove(`hl-${kind}`); weightsBox.parentElement.classList.remove(`hl-${kind}`); };
    g.addEventListener('mouseenter', on); g.addEventListener('mouseleave', off);
    g.addEventListener('focus', on); g.addEventListener('blur', off);
    return g;
  };

  // h0
  const h0 = el('g', { class: 'col h0' });
  h0.append(el('rect', { class: 'cellbox', x: H0X - 30, y: CELL.y + 12, width: 60, height: 50, rx: 10, 'stroke-dasharray': '4 3' }));
  h0.append(sub('h', '0', { x: H0X, y: CELL.y + 4, 'text-anchor': 'middle', class: 'axis-label' }));
  const h0Units = [];
  for (let j = 0; j < H; j++) {
    const u = el('rect', { class: 'unit', x: H0X - (H * UNIT + (H - 1) * GAP) / 2 + j * (UNIT + GAP), y: CELL.y + 31, width: UNIT, height: UNIT, rx: 3 });
    h0Units.push(u); h0.append(u);
  }
  h0.append(el('text', { x: H0X, y: CELL.y + 82, 'text-anchor': 'middle', class: 'tlabel' }, 'zeros'));
  svg.append(h0);

  const cols = [];
  for (let t = 0; t < T; t++) {
    const cx = colX(t);
    const g = el('g', { class: 'col pending' });
    const left = t === 0 ? H0X + 30 : colX(t - 1) + CELL.w / 2;
    // arrows: h_{t-1} -> cell, x_t -> cell, cell -> y_t
    g.append(el('path', { class: 'arrow in', d: `M${left} ${CELL.y + CELL.h / 2}H${cx - CELL.w / 2 - 2}`, 'marker-end': 'url(#uarrow)' }));
    g.append(el('path', { class: 'arrow in', d: `M${cx} ${262}V${CELL.y + CELL.h + 2}`, 'marker-end': 'url(#uarrow)' }));
    g.append(el('path', { class: 'arrow', d: `M${cx} ${CELL.y - 2}V${62}`, 'marker-end': 'url(#uarrow)' }));
    // the cell
    g.append(el('rect', { class: 'cellbox', x: cx - CELL.w / 2, y: CELL.y, width: CELL.w, height: CELL.h, rx: 12 }));
    g.append(el('text', { x: cx, y: CELL.y + 19, 'text-anchor': 'middle', class: 'tlabel' }, 'tanh'));
    const units = [];
    for (let j = 0; j < H; j++) {
      const u = el('rect', { class: 'unit', x: cx - (H * UNIT + (H - 1) * GAP) / 2 + j * (UNIT + GAP), y: CELL.y + 30, width: UNIT, height: UNIT, rx: 3 });
      units.push(u); g.append(u);
    }
    g.append(sub('h', String(t + 1), { x: cx, y: CELL.y + 63, 'text-anchor': 'middle', class: 'axis-label' }));
    // y chip
    g.append(el('rect', { class: 'value-chip', x: cx - 32, y: 30, width: 64, height: 28, rx: 8 }));
    const yText = el('text', { x: cx, y: 48.5, 'text-anchor': 'middle', class: 'vtext' }, '·');
    g.append(yText);
    g.append(sub('y', String(t + 1), { x: cx, y: 20, 'text-anchor': 'middle', class: 'axis-label' }));
    // x chip
    const xChip = el('rect', { class: 'value-chip', x: cx - 32, y: 264, width: 64, height: 28, rx: 8 });
    g.append(xChip);
    const xText = el('text', { x: cx, y: 282.5, 'text-anchor': 'middle', class: 'vtext' }, '');
    g.append(xText);
    g.append(sub('x', String(t + 1), { x: cx, y: 312, 'text-anchor': 'middle', class: 'axis-label' }));
    cols.push({ g, units, yText, xText, xChip });
    svg.append(g);
  }
  // the weight labels, drawn on top of every arrow
  for (let t = 0; t < T; t++) {
    const cx = colX(t);
    const left = t === 0 ? H0X + 30 : colX(t - 1) + CELL.w / 2;
    svg.append(wlabel('hh', (left + cx - CELL.w / 2) / 2, CELL.y + CELL.h / 2, 'W_hh'));
    svg.append(wlabel('xh', cx, 232, 'W_xh'));
    svg.append(wlabel('hy', cx, 94, 'W_hy'));
  }

  // ---- the weight matrices ------------------------------------------------
  function drawWeights() {
    weightsBox.textContent = '';
    const all = [...w.xh, ...w.hh, ...w.hy];
    const m = Math.max(...all.map(Math.abs));
    const scale = { ...scaleFor('diverging', palette().dark), lo: -m, hi: m };
    const mat = (kind, label, rows, colsN, data, shape) => {
      const box = el('div', { class: `weight ${kind}` });
      const [b, s] = label.split('_');
      box.append(el('span', { class: `wname ${kind}` }, b, el('sub', {}, s), el('span', { class: 'muted small' }, `  ${shape}`)));
      const rowsText = Array.from({ length: rows }, (_, r) => Array.from(data.slice(r * colsN, (r + 1) * colsN), (v) => num(v, 2)).join(', '));
      const grid = el('div', { class: 'mat', role: 'img', 'aria-label': `${label}, ${shape}, by row: ${rowsText.join('; ')}`, style: `grid-template-columns: repeat(${colsN}, 22px)` });
      for (let i = 0; i < rows * colsN; i++) {
        grid.append(el('span', { style: `background:${colorOf(data[i], scale)}`, title: `${label}[${Math.floor(i / colsN)},${i % colsN}] = ${data[i].toFixed(3)}` }));
      }
      box.append(grid);
      return box;
    };
    weightsBox.append(
      mat('xh', 'W_xh', H, 1, w.xh, '4×1'),
      mat('hh', 'W_hh', H, H, w.hh, '4×4'),
      mat('hy', 'W_hy', 1, H, w.hy, '1×4'),
    );
  }

  // ---- drawing the state --------------------------------------------------
  const unitScale = () => scaleFor('diverging', palette().dark);
  function paint() {
    const sc = unitScale();
    for (const u of h0Units) u.setAttribute('fill', colorOf(0, sc));
    cols.forEach((c, t) => {
      c.g.classList.toggle('current', t === state.t);
      c.g.classList.toggle('pending', t > state.t);
      c.xText.textContent = num(state.inputs[t], 2);
      c.xChip.style.fill = colorOf(state.inputs[t], sc);
      c.xText.style.fill = inkOn(state.inputs[t], sc);
      const h = state.hs[t];
      c.units.forEach((u, j) => u.setAttribute('fill', h ? colorOf(h[j], sc) : 'var(--surface)'));
      c.yText.textContent = state.ys[t] == null ? '·' : num(state.ys[t], 2);
    });
    tLabel.textContent = state.t < 0 ? '–' : `${state.t + 1} of ${T}`;
  }

  const vec = (v, sc) => el('span', { class: 'vec' }, [...v].map((x) => el('span', {
    style: `background:${colorOf(x, sc)};color:${inkOn(x, sc)}`,
  }, (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(2))));

  function explain(t, prev, x, h, y) {
    const sc = unitScale();
    const hh = new Float32Array(H), xh = new Float32Array(H);
    for (let i = 0; i < H; i++) {
      xh[i] = w.xh[i] * x;
      for (let j = 0; j < H; j++) hh[i] += w.hh[i * H + j] * prev[j];
    }
    calc.textContent = '';
    const row = (label, ...rest) => el('p', {}, el('span', { class: 'muted' }, label), ...rest);
    calc.append(
      row(`x${sup(t + 1)}`, el('span', {}, num(x, 3))),
      row(`W_hh · h${sup(t)}`, vec(hh, sc)),
      row(`W_xh · x${sup(t + 1)}`, vec(xh, sc)),
      row('b_h', vec(w.b, sc)),
      row(`h${sup(t + 1)} = tanh(sum)`, vec(h, sc)),
      row(`y${sup(t + 1)} = W_hy·h${sup(t + 1)} + b_y`, el('strong', {}, num(y, 3))),
    );
  }
  const sup = (n) => String(n).split('').map((d) => '₀₁₂₃₄₅₆₇₈₉'[d]).join('');

  // ---- stepping -------------------------------------------------------------
  function reset() {
    stream.reset();
    state.t = -1; state.hs = []; state.ys = [];
    calc.textContent = '';
    calc.append(el('p', { class: 'muted' }, 'Press ', el('strong', {}, 'Play'), ' or ', el('strong', {}, 'Step'), '.'));
    paint();
  }

  function step() {
    if (state.t >= T - 1) reset();
    const t = state.t + 1;
    const prev = t === 0 ? new Float32Array(H) : state.hs[t - 1];
    const x = state.inputs[t];
    const h = new Float32Array(H);
    stream.step(Float32Array.of(x), h);                        // the engine's step
    const y = readout.forward({ shape: [1, H], data: h }).data[0];
    state.hs[t] = h; state.ys[t] = y; state.t = t; state.steps++;
    explain(t, prev, x, h, y);
    paint();
  }

  // forward() over the whole sequence gives the same states as the stream.
  function check() {
    const { output } = layer.forward(rnn.tensor([T, 1, 1], state.inputs));
    const s = layer.stream({ batch: 1 });
    let diff = 0;
    const h = new Float32Array(H);
    for (let t = 0; t < T; t++) {
      s.step(Float32Array.of(state.inputs[t]), h);
      for (let j = 0; j < H; j++) diff = Math.max(diff, Math.abs(h[j] - output.data[t * H + j]));
    }
    s.dispose();
    state.checkDiff = diff;
    $('#unrolled-check').textContent = `Check: forward() over the same ${T} inputs returns the same states as ${T} stream.step() calls (largest difference ${diff === 0 ? '0, bit for bit' : diff.toExponential(1)}).`;
  }

  visibility(svg, (v) => { if (!v && state.playing) setPlaying(false, true); else if (v && state.autoPaused && !state.touched) setPlaying(true); });
  function tick() {
    if (!state.playing) return;
    step();
    state.timer = setTimeout(tick, state.t === T - 1 ? TICK_MS * 2.2 : TICK_MS);
  }
  function setPlaying(on, auto = false) {
    state.playing = on;
    state.autoPaused = auto;
    clearTimeout(state.timer);
    showPlaying(playBtn, on);
    svg.classList.toggle('playing', on);
    // While it plays by itself the step read-out is not announced at every tick.
    calc.parentElement.setAttribute('aria-live', on ? 'off' : 'polite');
    if (on) tick();
  }

  playBtn.addEventListener('click', () => { state.touched = true; setPlaying(!state.playing); });
  $('#unrolled-step').addEventListener('click', () => { state.touched = true; setPlaying(false); step(); });
  $('#unrolled-reset').addEventListener('click', () => { state.touched = true; setPlaying(false); reset(); });
  inputSel.addEventListener('change', () => {
    state.inputs = PATTERNS[inputSel.value]();
    reset();
    check();
  });
  onThemeChange(() => { drawWeights(); paint(); });

  drawWeights();
  reset();
  check();
  // Start playing once, when the section is first seen, unless the reader
  // asked for reduced motion (then only Play starts it).
  const io = new IntersectionObserver((e) => {
    if (e.some((x) => x.isIntersecting)) {
      io.disconnect();
      if (!state.playing && !state.touched && !reducedMotion.matches) setPlaying(true);
    }
  }, { threshold: 0.4 });
  io.observe(svg);
  reducedMotion.addEventListener('change', () => { if (reducedMotion.matches && !state.touched) setPlaying(false); });

  return {
    get t() { return state.t; },
    get steps() { return state.steps; },
    get states() { return state.hs.map((h) => [...h]); },
    get outputs() { return [...state.ys]; },
    get checkDiff() { return state.checkDiff; },
    get playing() { return state.playing; },
    step, reset,
  };
}
