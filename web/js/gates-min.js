// gates-min.js - the min cells in the gate section: a minGRU or a minLSTM
// (the reader picks) reads the same kind of signal one stream.step() at a
// time, and every tap is drawn as a units x time heat map, stacked: z, h~, h
// (minGRU) or f, i, h~, h (minLSTM). Its gates read x_t only, which the
// maps show: they follow the input and nothing else.
import { SIGNALS } from './gates.js';
import { History, drawSignalBand, drawTag, gradientCss, scaleFor } from './heatmap.js';
import { streamPlayer } from './stream-player.js';
import { $, fitCanvas, num, onThemeChange, palette } from './util.js';

const H = 16, COLS = 120;
const TAPS = {
  MinGRU: [['z', 'gate', 'update gate z'], ['htilde', 'value', 'candidate h̃ (linear in x)'], ['h', 'value', 'state h']],
  MinLSTM: [['f', 'gate', 'forget gate f'], ['i', 'gate', 'input gate i'], ['htilde', 'value', 'candidate h̃ (linear in x)'], ['h', 'value', 'state h']],
};
const BAND = 30, ROW = 54, GAP = 4;

export async function setup({ rnn }) {
  // Seeded weights, larger than the default for 16 units so the gates swing visibly (as in gates.js).
  const make = (Cls, seed) => {
    const layer = new Cls({ inputSize: 1, hiddenSize: H, seed });
    const sd = layer.stateDict();
    sd.weight_ih_l0.data.forEach((v, i, a) => { a[i] = v * 7; });
    layer.loadStateDict(sd);
    return layer;
  };
  const layers = { MinGRU: make(rnn.MinGRU, 23), MinLSTM: make(rnn.MinLSTM, 24) };
  const streams = Object.fromEntries(Object.entries(layers).map(([k, l]) => [k, l.stream({ batch: 1, taps: true })]));
  const hist = Object.fromEntries(Object.entries(TAPS).map(([k, taps]) => [k, Object.fromEntries(taps.map(([t]) => [t, new History(H, COLS)]))]));
  const input = new History(1, COLS);
  const state = { cell: 'MinGRU', n: 0, last: {} };
  const canvas = $('#min-gates-heat'), valuesEl = $('#min-gates-values'), stepEl = $('#min-gates-step'), signalEl = $('#min-gates-signal');
  const x = new Float32Array(1);

  function step() {
    x[0] = SIGNALS[signalEl.value](state.n);
    input.push(x);
    for (const cell of Object.keys(streams)) { // both cells run, so switching shows a full history
      streams[cell].step(x);
      const t = streams[cell].taps()[0];
      state.last[cell] = t;
      for (const [k] of TAPS[cell]) hist[cell][k].push(t[k]);
    }
    state.n++;
  }

  const mean = (a) => a.reduce((s, v) => s + v, 0) / a.length;
  function draw() {
    const taps = TAPS[state.cell];
    canvas.style.height = `${BAND + taps.length * (ROW + GAP)}px`;
    const { ctx, w } = fitCanvas(canvas);
    const p = palette();
    drawSignalBand(ctx, input, w, BAND, p);
    taps.forEach(([k, kind, name], r) => {
      const y = BAND + r * (ROW + GAP) + GAP;
      hist[state.cell][k].draw(ctx, 0, y, w, ROW, scaleFor(kind, p.dark), p.surface);
      drawTag(ctx, name, y, p);
    });
    const now = state.last[state.cell];
    if (now) valuesEl.textContent = taps.map(([k]) => `${k === 'htilde' ? 'h̃' : k} mean ${num(mean(now[k]), 3)}`).join(' · ') + ` (step ${state.n})`;
  }

  function select(cell) {
    state.cell = cell;
    const names = TAPS[cell].map(([, , name]) => name).join(', ');
    canvas.setAttribute('aria-label', `Heat maps of the ${cell === 'MinGRU' ? 'minGRU' : 'minLSTM'}'s taps, top to bottom: ${names}; ${H} units over the last ${COLS} steps; gates from 0 to 1, values from −1 to +1`);
    draw();
  }

  $('#min-gates-cell').addEventListener('change', (e) => select(e.target.value));
  $('#min-gates-scale-gate').style.background = gradientCss(scaleFor('gate', palette().dark));
  const paintScales = () => { $('#min-gates-scale-value').style.background = gradientCss(scaleFor('value', palette().dark)); };
  paintScales();
  onThemeChange(() => { paintScales(); draw(); });
  new ResizeObserver(() => draw()).observe(canvas);

  const player = streamPlayer({
    card: $('#min-gates'), button: $('#min-gates-play'), step, draw: () => { draw(); stepEl.textContent = String(state.n); },
  });

  for (let i = 0; i < COLS; i++) step(); // a full heat map from the start
  select(state.cell);
  stepEl.textContent = String(state.n);
  player.setPlaying(player.playing);

  return {
    get cell() { return state.cell; },
    get step() { return state.n; },
    get playing() { return player.playing; },
    /** The selected cell's last step of taps, as plain arrays. */
    get values() { return Object.fromEntries(TAPS[state.cell].map(([k]) => [k, [...state.last[state.cell][k]]])); },
    select: (cell) => { $('#min-gates-cell').value = cell; select(cell); },
  };
}
