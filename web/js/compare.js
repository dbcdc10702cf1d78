// compare.js - section "RNN, LSTM or GRU? — measured": the classic
// comparison table filled by the engine. Parameters come from the engine's
// layers at once; long-range memory (the adding problem) and training speed
// come from a recorded run at first paint (web/recorded/compare-run.json,
// made by scripts/record-compare.mjs, labelled as such), and the button
// reruns both live in the playground's worker (compare-run.js).
import { chart } from './charts.js';
import { CELLS, LONG_RANGE, SOLVED_MSE, SPEED } from './compare-run.js';
import { COMPARE_RECORDED } from './paths.js';
import { PlaygroundWorker } from './playground-worker-client.js';
import { $, el, int, num, seconds } from './util.js';

const PARAM_H = 256, PARAM_I = 1;
// Soft hyphens (\u00ad) let the long words break in a phone's narrow columns.
const BEST_FOR = {
  RNN: 'Short contexts (a few steps) and the tightest budgets: the smallest and fastest cell.',
  LSTM: 'Long-range depend\u00adencies; the separate cell state carries information and gradients furthest.',
  GRU: 'Long-range depend\u00adencies with a quarter fewer para\u00admeters than the LSTM and a faster step.',
};

const verdict = (mse) => (mse < SOLVED_MSE ? 'solved' : mse < 0.1 ? 'partly' : 'failed');
const VERDICT_TEXT = { solved: '✓ learns', partly: '◐ partly', failed: '✗ fails' };

export async function setup({ rnn }) {
  const state = { source: null, result: null, recorded: null, running: false, progress: 0, error: null, runs: 0 };
  const rows = $('#compare-rows'), source = $('#compare-source'), caption = $('#compare-caption');
  const runBtn = $('#compare-run'), stopBtn = $('#compare-stop'), progress = $('#compare-progress'), stepText = $('#compare-step');

  // Parameters: from the engine's own layers, as in the parameter section.
  const params = {};
  for (const cell of CELLS) {
    const layer = new rnn[cell]({ inputSize: PARAM_I, hiddenSize: PARAM_H, seed: 1 });
    params[cell] = layer.numParams;
    layer.dispose();
  }

  // ---- the loss-curve charts, one per length --------------------------------
  const charts = {};
  const chartBox = $('#compare-charts');
  for (const T of LONG_RANGE.lengths) {
    const box = el('div', { class: 'chart', 'data-testid': `compare-chart-${T}`, 'aria-hidden': 'true' });
    chartBox.append(el('div', {}, el('p', { class: 'chart-title' }, `T = ${T}`), box));
    charts[T] = await chart(box, (p, axis) => ({
      // fixed ranges: the live curves grow into them, and the three lengths compare at a glance
      scales: { x: { time: false, range: () => [0, LONG_RANGE.steps[T]] }, y: { distr: 3, log: 10, range: () => [1e-5, 1] } },
      axes: [axis(p, 'training step'), axis(p, 'MSE', {
        size: 52, filter: (u, splits) => splits,
        splits: (u, ai, min, max) => {
          const out = [];
          for (let e = Math.round(Math.log10(min)); e <= Math.round(Math.log10(max)); e++) out.push(10 ** e);
          return out;
        },
        values: (u, splits) => splits.map((v) => (v >= 1 ? '1' : `1e−${Math.round(-Math.log10(v))}`)),
      })],
      series: [{},
        { label: 'RNN', stroke: p.rnn, width: 2, points: { show: false } },
        { label: 'LSTM', stroke: p.lstm, width: 2, points: { show: false } },
        { label: 'GRU', stroke: p.gru, width: 2, points: { show: false } },
        { label: 'mean', stroke: p.muted, width: 1.5, dash: [5, 4], points: { show: false } }],
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
    }), [[0, LONG_RANGE.steps[T]], [null, null], [null, null], [null, null], [null, null]], { height: () => (window.innerWidth < 640 ? 190 : 210), title: `Training loss (MSE) at T = ${T}` });
  }
  // curves[T][cell] = [[step, loss], ...]; baseline[T]
  function drawCurves(curves, baseline, T) {
    const xs = [...new Set(CELLS.flatMap((c) => (curves[T]?.[c] ?? []).map(([s]) => s)))].sort((a, b) => a - b);
    if (!xs.length) xs.push(0, LONG_RANGE.steps[T]);
    const series = CELLS.map((c) => {
      const m = new Map(curves[T]?.[c] ?? []);
      return xs.map((s) => (m.get(s) > 0 ? m.get(s) : null));
    });
    charts[T].setData([xs, ...series, xs.map(() => baseline?.[T] ?? null)]);
  }

  // ---- the table -----------------------------------------------------------
  function render(result, label) {
    const { longRange, speed } = result;
    rows.textContent = '';
    const row = (head, cells, testid) => rows.append(el('tr', { 'data-testid': testid },
      el('th', { scope: 'row' }, ...head), ...CELLS.map((c) => el('td', { class: 'r', 'data-cell': c }, ...[cells(c)].flat()))));
    row([el('a', { href: '#parameters' }, 'Parameters'), el('span', { class: 'diff' }, `H = ${PARAM_H}, I = ${PARAM_I}`)],
      (c) => el('span', { class: 'count', 'data-testid': `compare-params-${c}` }, int(params[c])), 'compare-params');
    for (const T of LONG_RANGE.lengths) {
      row([`Memory at T = ${T}`, el('span', { class: 'diff' }, `test MSE after ${int(LONG_RANGE.steps[T])} steps`)], (c) => {
        const r = longRange?.runs?.[T]?.[c];
        if (!r) return el('span', { class: 'muted' }, '–');
        const v = verdict(r.testMse);
        return [el('span', { class: `verdict ${v}`, 'data-testid': `compare-mem-${T}-${c}`, 'data-verdict': v }, VERDICT_TEXT[v]), el('span', { class: 'diff' }, num(r.testMse, 2))];
      }, `compare-mem-${T}`);
    }
    row(['Training step', el('span', { class: 'diff' }, `ms at H = ${SPEED.hidden}, B = ${SPEED.batch}, T = ${SPEED.T}`)],
      (c) => el('span', { class: 'count', 'data-testid': `compare-ms-${c}` }, speed?.cells?.[c] ? num(speed.cells[c].ms, 3) : '–'), 'compare-ms');
    row(['Step speed', el('span', { class: 'diff' }, 'GFLOP/s in matrix products')],
      (c) => el('span', { 'data-testid': `compare-gflops-${c}` }, speed?.cells?.[c] ? num(speed.cells[c].gflops, 3) : '–'), 'compare-gflops');
    row(['Best for'], (c) => el('span', { class: 'best-for' }, BEST_FOR[c]), 'compare-best');

    for (const T of LONG_RANGE.lengths) {
      const curves = { [T]: Object.fromEntries(CELLS.map((c) => [c, longRange?.runs?.[T]?.[c]?.curve ?? []])) };
      drawCurves(curves, longRange?.baseline, T);
    }
    caption.textContent = summary(result, label);
  }

  function summary({ longRange, speed }, label) {
    const parts = [`${label}.`];
    for (const T of LONG_RANGE.lengths) {
      const runs = longRange?.runs?.[T];
      if (!runs) continue;
      parts.push(`T = ${T}: test MSE ${CELLS.map((c) => `${c} ${runs[c] ? num(runs[c].testMse, 2) : '–'}`).join(', ')} (predicting the mean: ${num(longRange.baseline[T], 3)}).`);
    }
    if (speed?.cells) {
      const s = speed.cells;
      parts.push(`One training step takes ${CELLS.map((c) => `${num(s[c].ms, 3)} ms (${c})`).join(', ')}: the LSTM does 4 blocks of matrix products per step, the GRU 3, the RNN 1, so the RNN step is ${num(s.LSTM.ms / s.RNN.ms, 2)}× faster than the LSTM's and the GRU's ${num(s.LSTM.ms / s.GRU.ms, 2)}×.`);
    }
    parts.push(`"Learns" means a test MSE below ${SOLVED_MSE}; the charts show the mean training loss of every ${LONG_RANGE.curveEvery} steps, the dashed line the mean predictor's error.`);
    return parts.join(' ');
  }

  // ---- the recorded run ----------------------------------------------------
  try {
    const res = await fetch(COMPARE_RECORDED);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    state.recorded = await res.json();
    const r = state.recorded.recorded;
    state.source = 'recorded';
    state.result = state.recorded;
    const busy = r.load > r.cores ? `, on a busy machine: load ${r.load} on ${r.cores} cores` : '';
    const label = `Recorded on ${r.cpu}, ${r.date} (${r.runtime}, ${r.backend}, ${seconds(r.seconds)}${busy}), by ${r.by}`;
    source.textContent = `${label}. Press “Run it live” to measure in this tab.`;
    render(state.recorded, label);
  } catch (e) {
    source.textContent = `The recorded run could not be loaded (${e.message}); press “Run it live” to measure in this tab.`;
    render({ longRange: null, speed: null }, 'Not measured yet');
  }

  // ---- the live run, in the worker ------------------------------------------
  const totalWork = LONG_RANGE.lengths.reduce((s, T) => s + CELLS.length * T * LONG_RANGE.steps[T], 0);
  let lab = null;
  async function runLive() {
    if (state.running) return state.done;
    state.running = true;
    state.error = null;
    state.progress = 0;
    runBtn.disabled = true;
    stopBtn.disabled = false;
    progress.hidden = false;
    progress.value = 0;
    stepText.textContent = '';
    const t0 = performance.now();
    const live = { longRange: { config: LONG_RANGE, baseline: state.recorded?.longRange?.baseline ?? {}, runs: {} }, speed: null };
    const curves = {};
    let work = 0, pendingDraw = null;
    const label = () => `Measured live in this tab just now (${live.backend ?? 'the engine'}, in a Web Worker)`;
    render(live, label());
    source.textContent = 'Timing one training step of each cell…';
    lab = new PlaygroundWorker();
    state.done = lab.call({ type: 'compare' }, ({ data: d }) => {
      if (d.kind === 'speed') {
        source.textContent = `Timing one training step of each cell: round ${d.round} of ${d.rounds}…`;
      } else if (d.kind === 'speed-done') {
        live.speed = d.speed;
        live.backend = d.backend;
        render(live, label());
      } else if (d.kind === 'curve') {
        ((curves[d.T] ??= {})[d.cell] ??= []).push([d.step, d.loss]);
        work += d.T * LONG_RANGE.curveEvery;
        state.progress = work / totalWork;
        progress.value = state.progress;
        if (d.step === LONG_RANGE.curveEvery) source.textContent = `Training the ${d.cell} at T = ${d.T}…`;
        stepText.textContent = `step ${int(d.step)} of ${int(d.steps)}, loss ${num(d.loss, 3)}; ${Math.round(100 * state.progress)}% of the run`;
        pendingDraw ??= requestAnimationFrame(() => { pendingDraw = null; drawCurves(curves, live.longRange.baseline, d.T); });
      } else if (d.kind === 'done') {
        (live.longRange.runs[d.T] ??= {})[d.cell] = { curve: curves[d.T][d.cell], testMse: d.testMse, seconds: d.seconds };
        render(live, label());
      }
    }).then((result) => {
      live.backend = result.backend;
      state.result = { ...result, seconds: (performance.now() - t0) / 1000 };
      state.source = 'live';
      state.runs++;
      const text = `${label()}, in ${seconds(state.result.seconds)}`;
      render(result, text);
      source.textContent = `${text}.`;
      return state.result;
    }, (e) => {
      state.error = e.message;
      source.textContent = e.code === 'CANCELLED' ? 'Stopped: the table shows what was measured before the stop.' : `The live run failed: ${e.message}`;
      return null;
    }).finally(() => {
      lab.terminate();
      lab = null;
      state.running = false;
      runBtn.disabled = false;
      if (document.activeElement === stopBtn) runBtn.focus(); // a disabled button would drop the keyboard focus
      stopBtn.disabled = true;
      progress.hidden = true;
      stepText.textContent = '';
    });
    return state.done;
  }
  runBtn.addEventListener('click', () => runLive());
  stopBtn.addEventListener('click', () => lab?.control('cancel'));

  return {
    get source() { return state.source; },
    get result() { return state.result; },
    get recorded() { return state.recorded; },
    get running() { return state.running; },
    get progress() { return state.progress; },
    get error() { return state.error; },
    get runs() { return state.runs; },
    params,
    runLive,
  };
}
