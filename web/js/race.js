// race.js - section "Are LSTMs obsolete? What about Mamba?": the LSTM and a
// minGRU train side by side, each in its own worker (race-run.js through
// playground-worker.js), for the same seconds of wall-clock time; the charts
// follow their training loss and steps against time, then the table gets
// their held-out losses and both generate text. Nothing is fetched until the
// reader starts the race (the text, the workers, the engine in each).
import { chart } from './charts.js';
import { DATASETS } from './paths.js';
import { PlaygroundWorker } from './playground-worker-client.js';
import { RACE } from './race-run.js';
import { tex } from './math.js';
import { $, el, int, num, whenNear } from './util.js';

const NAMES = Object.keys(RACE.cells); // ['LSTM', 'MinGRU']
const LABEL = { LSTM: 'LSTM', MinGRU: 'minGRU' };
const label = (name) => `${LABEL[name]} ${RACE.cells[name].layers}×${RACE.cells[name].hidden}`;
const chartHeight = () => (window.innerWidth < 640 ? 200 : 230);
// Typeset when the section is set up (after the engine), not in the page's HTML: the boxed terms read h_{t-1}.
const EQUATIONS = [
  { testid: 'min-eq-lstm', tex: '\\begin{aligned} f_t &= \\sigma\\big(W_f\\, x_t + \\boxed{U_f\\, h_{t-1}} + b_f\\big) \\\\ i_t &= \\sigma\\big(W_i\\, x_t + \\boxed{U_i\\, h_{t-1}} + b_i\\big) \\\\ g_t &= \\tanh\\big(W_g\\, x_t + \\boxed{U_g\\, h_{t-1}} + b_g\\big) \\\\ o_t &= \\sigma\\big(W_o\\, x_t + \\boxed{U_o\\, h_{t-1}} + b_o\\big) \\\\ c_t &= f_t \\odot c_{t-1} + i_t \\odot g_t \\\\ h_t &= o_t \\odot \\tanh(c_t) \\end{aligned}' },
  { testid: 'min-eq-mingru', tex: '\\begin{aligned} z_t &= \\sigma\\big(W_z\\, x_t + b_z\\big) \\\\ \\tilde h_t &= W_h\\, x_t + b_h \\\\ h_t &= (1 - z_t) \\odot h_{t-1} + z_t \\odot \\tilde h_t \\end{aligned}' },
];

export async function setup() {
  const state = { running: false, runs: 0, error: null, results: null, live: null, done: null };
  const runBtn = $('#race-run'), stopBtn = $('#race-stop'), status = $('#race-status'), rows = $('#race-rows');
  for (const n of NAMES) $(n === 'LSTM' ? '#race-key-lstm' : '#race-key-min').textContent = label(n);

  // The equations and the charts are made when the section comes near (or the race starts), not at page start.
  let lossChart = null, stepsChart = null, prepared = null;
  const prepare = () => (prepared ??= (async () => {
    for (const e of EQUATIONS) await tex($(`[data-testid=${e.testid}]`), e.tex);
    const series = (p, what) => [{}, { label: `${label('LSTM')} ${what}`, stroke: p.lstm, width: 2, points: { show: false }, spanGaps: true },
      { label: `${label('MinGRU')} ${what}`, stroke: p.gru, width: 2, points: { show: false }, spanGaps: true }];
    const common = { legend: { show: false }, cursor: { drag: { x: false, y: false } } };
    lossChart = await chart($('#race-loss'), (p, axis) => ({
      ...common, scales: { x: { time: false }, y: { range: (u, lo, hi) => [Math.max(0, (lo ?? 1) - 0.1), (hi ?? 4.5) + 0.1] } },
      axes: [axis(p, 'seconds'), axis(p, 'loss', { size: 44 })], series: series(p, 'loss'),
    }), [[], [], []], { height: chartHeight, title: 'Training loss against seconds' });
    stepsChart = await chart($('#race-steps'), (p, axis) => ({
      ...common, scales: { x: { time: false }, y: { range: (u, lo, hi) => [0, Math.max(10, hi ?? 10)] } },
      axes: [axis(p, 'seconds'), axis(p, 'steps', { size: 52 })], series: series(p, 'steps'),
    }), [[], [], []], { height: chartHeight, title: 'Training steps done against seconds' });
  })());
  whenNear($('#min-cells'), prepare);

  // Both runners report at their own times: merge them on one time axis (gaps where one has no point).
  function draw(live) {
    if (!lossChart) return;
    const ts = [...new Set(NAMES.flatMap((n) => live[n].points.map((q) => q.t)))].sort((a, b) => a - b);
    const col = (n, key) => { const m = new Map(live[n].points.map((q) => [q.t, q[key]])); return ts.map((t) => m.get(t) ?? null); };
    lossChart.setData([ts, col('LSTM', 'loss'), col('MinGRU', 'loss')]);
    stepsChart.setData([ts, col('LSTM', 'step'), col('MinGRU', 'step')]);
  }

  function renderTable(live) {
    rows.textContent = '';
    for (const n of NAMES) {
      const r = live[n], last = r.points.at(-1), res = r.result;
      const sps = res ? res.stepsPerSecond : last ? last.step / last.t : null;
      rows.append(el('tr', { 'data-testid': `race-row-${n}` },
        el('th', { scope: 'row' }, el('span', { class: `tag ${n === 'LSTM' ? 'lstm' : 'gru'}` }, label(n))),
        el('td', { class: 'r' }, res ? int(res.params) : '–'),
        el('td', { class: 'r', 'data-testid': `race-steps-${n}` }, last ? int(res?.steps ?? last.step) : '–'),
        el('td', { class: 'r', 'data-testid': `race-sps-${n}` }, sps ? num(sps, 3) : '–'),
        el('td', { class: 'r' }, last ? num(last.loss, 3) : '–'),
        el('td', { class: 'r', 'data-testid': `race-val-${n}` }, res ? num(res.valLoss, 3) : '–')));
    }
  }
  const empty = () => Object.fromEntries(NAMES.map((n) => [n, { points: [], result: null }]));
  renderTable(empty());

  let labs = [];
  async function run({ seconds = Number($('#race-seconds').value) } = {}) {
    if (state.running) return state.done;
    state.running = true;
    state.error = null;
    runBtn.disabled = true;
    stopBtn.disabled = false;
    const live = state.live = empty();
    for (const n of NAMES) $(`#race-sample-${n}`).textContent = '…';
    draw(live);
    renderTable(live);
    status.textContent = 'Fetching Tiny Shakespeare…';
    let pendingDraw = null;
    state.done = (async () => {
      await prepare();
      draw(live);
      const res = await fetch(DATASETS.shakespeare);
      if (!res.ok) throw new Error(`could not fetch the text: HTTP ${res.status}`);
      const text = (await res.text()).slice(0, RACE.chars + RACE.valChars);
      status.textContent = `Starting two workers: each loads the engine, then trains for ${seconds} s…`;
      labs = NAMES.map(() => new PlaygroundWorker());
      const results = await Promise.all(NAMES.map((n, i) => labs[i].call({ type: 'race', text, name: n, seconds }, ({ data: d }) => {
        if (d.kind === 'progress') {
          live[n].points.push({ t: d.t, step: d.step, loss: d.loss });
          status.textContent = `Racing: ${NAMES.map((m) => `${label(m)} ${int(live[m].points.at(-1)?.step ?? 0)} steps`).join(', ')}; ${Math.min(seconds, Math.round(d.t))} of ${seconds} s`;
          pendingDraw ??= requestAnimationFrame(() => { pendingDraw = null; draw(live); renderTable(live); });
        } else if (d.kind === 'scoring') {
          status.textContent = 'Time is up: scoring on held-out text and generating…';
        }
      })));
      NAMES.forEach((n, i) => { live[n].result = results[i]; $(`#race-sample-${n}`).textContent = results[i].sample; });
      draw(live);
      renderTable(live);
      const [a, b] = results;
      status.textContent = `Done in this tab (${a.backend}, two Web Workers): in ${seconds} s the ${label('MinGRU')} took ${int(b.steps)} steps ` +
        `(${num(b.stepsPerSecond, 3)} per second) to the ${label('LSTM')}'s ${int(a.steps)} (${num(a.stepsPerSecond, 3)} per second), ` +
        `${num(b.stepsPerSecond / a.stepsPerSecond, 2)}× as many; held-out loss ${num(b.valLoss, 3)} against ${num(a.valLoss, 3)} nats per character.`;
      state.results = results;
      state.runs++;
      return results;
    })().catch((e) => {
      state.error = e.message;
      status.textContent = e.code === 'CANCELLED' ? 'Stopped: the charts show the race up to the stop.' : `The race failed: ${e.message}`;
      for (const n of NAMES) if (!live[n].result) $(`#race-sample-${n}`).textContent = '–';
      return null;
    }).finally(() => {
      for (const lab of labs) lab.terminate();
      labs = [];
      state.running = false;
      runBtn.disabled = false;
      if (document.activeElement === stopBtn) runBtn.focus(); // a disabled button would drop the keyboard focus
      stopBtn.disabled = true;
    });
    return state.done;
  }
  runBtn.addEventListener('click', () => run());
  stopBtn.addEventListener('click', () => { for (const lab of labs) lab.control('cancel'); });

  return {
    get running() { return state.running; },
    get runs() { return state.runs; },
    get error() { return state.error; },
    get results() { return state.results; },
    /** Resolves when the equations and charts are made (the section came near, or a race started). */
    prepare,
    /** The points so far: { LSTM: [{ t, step, loss }], MinGRU: [...] }. */
    get points() { return state.live && Object.fromEntries(NAMES.map((n) => [n, state.live[n].points.map((q) => ({ ...q }))])); },
    run,
  };
}
