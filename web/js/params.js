// params.js - section 4: parameter counts from the engine's own layers
// (layer.numParams), beside PyTorch's formula and the one-bias formula.
import { tex } from './math.js';
import { $, el, int } from './util.js';

const CELLS = [
  { kind: 'RNN', g: 1, color: 'var(--c-rnn)', note: '1 block', tex: 'HI + H^2 + 2H' },
  { kind: 'LSTM', g: 4, color: 'var(--c-lstm)', note: '4 blocks: i, f, g, o', tex: '4(HI + H^2 + 2H)' },
  { kind: 'GRU', g: 3, color: 'var(--c-gru)', note: '3 blocks: r, z, n', tex: '3(HI + H^2 + 2H)' },
];
const MAX = 1024;

export async function setup({ rnn }) {
  const hidden = $('#param-hidden'), input = $('#param-input'), rows = $('#param-rows');
  const state = { counts: null };

  async function update() {
    const H = Math.max(1, Math.min(MAX, Math.round(Number(hidden.value) || 256)));
    const I = Math.max(1, Math.min(MAX, Math.round(Number(input.value) || 1)));
    const counts = {};
    for (const c of CELLS) {
      const layer = new rnn[c.kind]({ inputSize: I, hiddenSize: H, seed: 1 });
      counts[c.kind] = { engine: layer.numParams, keys: Object.entries(layer.stateDict()).map(([k, t]) => `${k} [${t.shape.join(', ')}]`) };
      layer.dispose();
      counts[c.kind].formula = c.g * (H * I + H * H + 2 * H);
      counts[c.kind].oneBias = c.g * (H * I + H * H + H);
    }
    state.counts = { H, I, ...counts };
    const max = Math.max(...CELLS.map((c) => counts[c.kind].engine));
    rows.textContent = '';
    for (const c of CELLS) {
      const n = counts[c.kind];
      const formula = el('span', { class: 'm formula' });
      const tr = el('tr', { 'data-cell': c.kind },
        el('td', {}, el('span', { class: `tag ${c.kind.toLowerCase()}` }, c.kind), el('span', { class: 'diff' }, c.note)),
        el('td', {}, formula, el('span', { class: 'diff', title: n.keys.join('\n') }, `= ${int(n.formula)}${n.formula === n.engine ? ' ✓' : ' ✗'}`)),
        el('td', { class: 'r' }, el('span', { class: 'count', 'data-testid': `params-${c.kind}` }, int(n.engine))),
        el('td', { class: 'r' }, int(n.oneBias), el('span', { class: 'diff' }, `${int(n.engine - n.oneBias)} fewer (g·H)`)),
        el('td', { class: 'r col-rel', style: 'width:22%' }, el('div', { class: 'bar', 'aria-hidden': 'true', style: `width:${(100 * n.engine / max).toFixed(1)}%;background:${c.color}` })),
      );
      rows.append(tr);
      await tex(formula, c.tex, false);
    }
  }

  hidden.addEventListener('change', update);
  input.addEventListener('change', update);
  await update();
  return { get counts() { return state.counts; }, update };
}
