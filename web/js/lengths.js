// lengths.js - section "Variable-length sequences": four real review
// sentences of different lengths (data/sentiment/uci) in one padded batch,
// run through a small LSTM three ways by the engine: each sentence alone,
// the padded batch as is, and the padded batch with its lengths (packed
// semantics). Then the same for a bidirectional LSTM (per direction), and
// padding_idx: the embedding's padding row is zero and gets no gradient,
// shown after a live training step.
import { DATASETS } from './paths.js';
import { colorOf, scaleFor } from './heatmap.js';
import { $, el, onThemeChange, palette, visibility } from './util.js';

const WANT = [4, 7, 10, 13];   // token counts of the four sentences
const E = 8, H = 6;            // small, so every number can be shown

// The first sentence of each wanted length (in file order), tokenised by WordVocab.
function pickSentences(rnn, tsv) {
  const rows = rnn.data.readCsv(tsv, { delimiter: '\t', quote: null });
  const texts = rnn.data.column(rows, 'text', String), labels = rnn.data.column(rows, 'label');
  const out = [];
  for (const n of WANT) {
    const i = texts.findIndex((t) => rnn.data.WordVocab.tokenize(t).length === n);
    out.push({ text: texts[i], label: labels[i] });
  }
  const vocab = rnn.data.WordVocab.fromTexts(out.map((o) => o.text));
  for (const o of out) { o.ids = vocab.encode(o.text); o.words = [...o.ids].map((id) => vocab.tokens[id]); }
  return { sentences: out, vocab };
}

const maxAbsDiff = (a, b) => { let d = 0; for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i])); return d; };

/**
 * `layer` (batch first) on the sentences three ways: alone (each sentence
 * without padding), padded (the batch, no lengths), packed (the batch with
 * its lengths). Returns per way the final states [D][B] (H values each)
 * and the outputs [D][B] (one H-vector per real step). "Alone" runs each
 * sentence as a batch of four copies of itself: the engine then uses the
 * same matrix kernels as for the batch of four (a batch of one takes a
 * matrix-vector kernel that sums in another order, ~1e-8 apart).
 */
export function threeWays(rnn, emb, layer, sentences) {
  const B = sentences.length, D = layer.bidirectional ? 2 : 1;
  const { ids, lengths } = rnn.data.padSequences(sentences.map((s) => s.ids));
  const T = ids.shape[1];
  const states = (hN, rows, row) => Array.from({ length: D }, (_, d) => hN.data.slice((d * rows + row) * H, (d * rows + row + 1) * H));
  const outputs = (out, Tn, row, n) => Array.from({ length: D }, (_, d) => Array.from({ length: n }, (_, t) => {
    const o = ((row * Tn + t) * D + d) * H;
    return out.data.slice(o, o + H);
  }));
  const x = emb.forward(ids);
  const run = (r) => ({ hN: sentences.map((_, b) => states(r.hN, B, b)), out: sentences.map((s, b) => outputs(r.output, T, b, s.ids.length)) });
  const padded = run(layer.forward(x)), packed = run(layer.forward(x, { lengths }));
  const alone = { hN: [], out: [] };
  for (const s of sentences) {
    const n = s.ids.length, rep = new Int32Array(4 * n);
    for (let k = 0; k < 4; k++) rep.set(s.ids, k * n);
    const r = layer.forward(emb.forward({ shape: [4, n], data: rep }));
    alone.hN.push(states(r.hN, 4, 0));
    alone.out.push(outputs(r.output, n, 0, n));
  }
  // largest difference from "alone", per sentence and direction
  const outDiff = (way, b, d) => Math.max(...way.out[b][d].map((v, t) => maxAbsDiff(v, alone.out[b][d][t])));
  const diffs = sentences.map((_, b) => Array.from({ length: D }, (_, d) => ({
    paddedState: maxAbsDiff(padded.hN[b][d], alone.hN[b][d]), packedState: maxAbsDiff(packed.hN[b][d], alone.hN[b][d]),
    paddedOutputs: outDiff(padded, b, d), packedOutputs: outDiff(packed, b, d),
  })));
  return { T, lengths: [...lengths], alone, padded, packed, diffs };
}

export async function setup({ rnn }) {
  const root = $('#lengths');
  const S = { ready: false, uni: null, bi: null, paddingIdx: null };
  let loading = null;
  const load = () => (loading ??= (async () => {
    const res = await fetch(DATASETS.sentiment);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const { sentences, vocab } = pickSentences(rnn, await res.text());
    const V = vocab.size;
    const emb = new rnn.Embedding({ numEmbeddings: V, embeddingDim: E, paddingIdx: 0, seed: 11 });
    const uni = new rnn.LSTM({ inputSize: E, hiddenSize: H, batchFirst: true, seed: 12 });
    const bi = new rnn.LSTM({ inputSize: E, hiddenSize: H, batchFirst: true, bidirectional: true, seed: 13 });
    Object.assign(S, { sentences, vocab, emb, uni: threeWays(rnn, emb, uni, sentences), bi: threeWays(rnn, emb, bi, sentences) });
    S.layers = { emb, uni, bi };
    S.ready = true;
    render();
  })().catch((e) => { $('#len-batch').textContent = `Could not load the sentences: ${e.message}`; S.error = e.message; throw e; }));
  visibility(root, (v) => { if (v) load().catch(() => {}); });

  function render() {
    const { sentences, uni, bi } = S;
    const T = uni.T;
    // the padded batch
    $('#len-batch').replaceChildren(el('table', { class: 'len-grid' },
      el('caption', { class: 'sr-only' }, `The batch: ${sentences.length} sentences padded to ${T} tokens`),
      el('tbody', {}, sentences.map((s, b) => el('tr', {},
        el('th', { scope: 'row' }, `${s.ids.length} tokens`),
        Array.from({ length: T }, (_, t) => (t < s.ids.length
          ? el('td', { class: 'tok' }, s.words[t])
          : el('td', { class: 'pad' }, el('span', { class: 'sr-only' }, 'padding '), '0')))))),
    ));
    // unidirectional: three ways
    const p = palette(), sc = scaleFor('state', p.dark);
    const strip = (v) => el('span', { class: 'len-strip', role: 'img', 'aria-label': Array.from(v, (x) => x.toFixed(3)).join(', ') },
      Array.from(v, (x) => el('i', { style: `background:${colorOf(x * 3, sc)}` })));
    const verdict = (d) => (d === 0 ? el('span', { class: 'ok' }, 'identical') : el('span', { class: 'bad' }, `off by ${d.toExponential(1)}`));
    const ud = sentences.map((_, b) => uni.diffs[b][0]);
    $('#len-uni').replaceChildren(el('table', { class: 'params len-table' },
      el('caption', { class: 'sr-only' }, 'Final hidden state h_n of each sentence (6 units) computed three ways, and its largest difference from the sentence run alone'),
      el('thead', {}, el('tr', {}, el('th', {}, 'sentence'), el('th', {}, 'alone'), el('th', {}, 'padded'), el('th', {}, 'padded + lengths'))),
      el('tbody', {}, sentences.map((s, b) => el('tr', {},
        el('td', {}, `${s.ids.length} tokens`),
        el('td', {}, strip(uni.alone.hN[b][0])),
        el('td', {}, strip(uni.padded.hN[b][0]), ' ', verdict(ud[b].paddedState)),
        el('td', {}, strip(uni.packed.hN[b][0]), ' ', verdict(ud[b].packedState)))))));
    // bidirectional: per direction, states and outputs at the real steps
    $('#len-bi').replaceChildren(el('table', { class: 'params len-table' },
      el('caption', { class: 'sr-only' }, 'Bidirectional LSTM: largest difference of each direction’s outputs at the real steps and of its final state from the sentence run alone, padded and packed'),
      el('thead', {},
        el('tr', {}, el('td', {}), el('th', { colspan: '4', scope: 'colgroup' }, 'padded, no lengths'), el('th', { scope: 'col' }, 'packed')),
        el('tr', {}, el('th', { scope: 'col' }, 'sentence'), el('th', { scope: 'col' }, '→ outputs'), el('th', { scope: 'col' }, '→ final state'),
          el('th', { scope: 'col' }, '← outputs'), el('th', { scope: 'col' }, '← final state'), el('th', { scope: 'col' }, '→ and ←'))),
      el('tbody', {}, sentences.map((s, b) => {
        const [f, r] = bi.diffs[b];
        return el('tr', {}, el('td', {}, `${s.ids.length} tokens`),
          el('td', {}, verdict(f.paddedOutputs)), el('td', {}, verdict(f.paddedState)),
          el('td', {}, verdict(r.paddedOutputs)), el('td', {}, verdict(r.paddedState)),
          el('td', {}, verdict(Math.max(f.packedOutputs, f.packedState, r.packedOutputs, r.packedState))));
      }))));
    renderPadding();
  }
  onThemeChange(() => { if (S.ready) render(); });

  // ---- padding_idx: row 0 is zero and gets no gradient -------------------
  function renderPadding() {
    const { emb, vocab } = S;
    const w = emb.stateDict().weight.data;
    const g = S.paddingIdx?.grad;
    const word = S.sentences[0].ids[0];
    const row = (id) => Array.from(w.subarray(id * E, (id + 1) * E));
    const fmt = (v) => Array.from(v, (x) => (x === 0 ? '0' : x.toFixed(3))).join('  ');
    const lines = [
      el('tr', {}, el('th', { scope: 'row' }, 'row 0 (padding)'), el('td', {}, el('code', {}, fmt(row(0)))),
        el('td', {}, g ? el('code', {}, fmt(g.subarray(0, E))) : '–')),
      el('tr', {}, el('th', { scope: 'row' }, `row ${word} (“${vocab.tokens[word]}”)`), el('td', {}, el('code', {}, fmt(row(word)))),
        el('td', {}, g ? el('code', {}, fmt(g.subarray(word * E, (word + 1) * E))) : '–')),
    ];
    $('#len-padidx').replaceChildren(el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Embedding rows and their gradients' },
      el('table', { class: 'params len-table' },
        el('thead', {}, el('tr', {}, el('th', {}, 'embedding'), el('th', {}, 'weight (8 values)'), el('th', {}, 'gradient of the last step'))),
        el('tbody', {}, lines))));
    $('#len-padidx-status').textContent = S.paddingIdx
      ? `${S.paddingIdx.steps} training step${S.paddingIdx.steps > 1 ? 's' : ''} (BCE on the sentences’ labels, Adam 0.01, padded batch with lengths): row 0 is still ${S.paddingIdx.rowZero ? 'all zeros' : 'NOT zero'}, its gradient ${S.paddingIdx.gradZero ? 'all zeros' : 'NOT zero'}; the word’s row moved by up to ${S.paddingIdx.wordMoved.toExponential(1)}.`
      : 'Row 0 belongs to the padding token: nn.Embedding(padding_idx=0) starts it at zero. Press the button to train.';
  }

  let trainer = null;
  $('#len-train').addEventListener('click', async () => {
    await load();
    const { emb, sentences } = S;
    // Embedding -> LSTM -> final state -> Linear: one logit per sentence.
    trainer ??= {
      model: new rnn.Sequential([emb, S.layers.uni, new rnn.Pool({ mode: 'final' }), new rnn.Linear({ inFeatures: H, outFeatures: 1, seed: 14 })]),
      steps: 0,
    };
    trainer.opt ??= new rnn.Adam(trainer.model.parameters(), { lr: 0.01 });
    const { ids, lengths } = rnn.data.padSequences(sentences.map((s) => s.ids));
    const y = { shape: [sentences.length, 1], data: Float32Array.from(sentences, (s) => s.label) };
    const word = sentences[0].ids[0];
    const before = emb.stateDict().weight.data.slice(word * E, (word + 1) * E);
    trainer.opt.zeroGrad();
    const logits = trainer.model.forward(ids, { lengths });
    const { grad } = rnn.losses.bceWithLogits(logits, y);
    trainer.model.backward(grad);
    const g = emb.grads().weight.data;
    trainer.opt.step();
    trainer.steps++;
    const w = emb.stateDict().weight.data;
    S.paddingIdx = {
      steps: trainer.steps, grad: g,
      rowZero: w.subarray(0, E).every((v) => v === 0), gradZero: g.subarray(0, E).every((v) => v === 0),
      wordMoved: maxAbsDiff(before, w.subarray(word * E, (word + 1) * E)),
    };
    renderPadding();
  });

  return { get state() { return S; }, load };
}
