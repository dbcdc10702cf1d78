// seq2seq-section.js - section "Sequence to sequence": the pre-trained
// dates model of examples/dates.mjs (web/models/, loaded when the section
// comes near), an encoder -> context -> decoder diagram that follows the
// reader's input step by step, the attention heat map, greedy versus beam
// search with their scores, teacher forcing versus feeding back predictions
// (on the pre-trained model, an untrained one, and two trained live here in
// the playground's lab worker),
// and the PyTorch and rnn-wasm code of the same model as tabs.
import { chart } from './charts.js';
import { codeTabs } from './code-tabs.js';
import { colorOf, scaleFor } from './heatmap.js';
import { DATES_MODEL } from './paths.js';
import { PlaygroundWorker } from './playground-worker-client.js';
import { StepDecoder, argmax } from './seq2seq-decoder.js';
import { $, debounce, el, fitCanvas, int, num, onThemeChange, palette, visibility } from './util.js';

const MAX_LENGTH = 12;          // as examples/dates.mjs decodes
const EXAMPLES = ['Tuesday, March 5, 1996', 'the 1st of january 2000', '12.10.1975', 'DEC 25, 2049', 'July 4th, 1976', 'march 2001, day 9'];

const PYTORCH_CODE = `
import torch, torch.nn as nn, torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

class Encoder(nn.Module):
    def __init__(self, vocab, E=32, H=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab, E, padding_idx=0)
        self.lstm = nn.LSTM(E, H, batch_first=True)

    def forward(self, src, lengths):               # src [B, S]
        packed = pack_padded_sequence(self.embedding(src), lengths,
                                      batch_first=True, enforce_sorted=False)
        out, (h, c) = self.lstm(packed)            # (h, c): the context
        out, _ = pad_packed_sequence(out, batch_first=True)
        return out, (h, c)

class Decoder(nn.Module):                          # Luong 'general' attention
    def __init__(self, vocab, E=32, H=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab, E, padding_idx=0)
        self.lstm = nn.LSTM(E, H, batch_first=True)
        self.attn = nn.Linear(H, H, bias=False)
        self.concat = nn.Linear(2 * H, H)
        self.fc = nn.Linear(H, vocab)

    def forward(self, inp, state, enc_out, mask):  # inp [B, T]: previous tokens
        out, state = self.lstm(self.embedding(inp), state)
        score = out @ self.attn(enc_out).transpose(1, 2)       # [B, T, S]
        a = F.softmax(score.masked_fill(~mask[:, None], float('-inf')), dim=2)
        ctx = a @ enc_out                                      # [B, T, H]
        h = torch.tanh(self.concat(torch.cat([ctx, out], dim=2)))
        return self.fc(h), state, a

class Seq2Seq(nn.Module):
    def __init__(self, src_vocab, tgt_vocab):
        super().__init__()
        self.encoder = Encoder(src_vocab)
        self.decoder = Decoder(tgt_vocab)

    def forward(self, src, lengths, dec_in):       # teacher forcing:
        enc_out, state = self.encoder(src, lengths) # dec_in = [BOS, y0, y1, ...]
        mask = torch.arange(src.size(1))[None] < lengths[:, None]
        return self.decoder(dec_in, state, enc_out, mask)[0]

model = Seq2Seq(61, 15)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for src, lengths, dec_in, target in batches:       # target padded with -100
    logits = model(src, lengths, dec_in)
    loss = F.cross_entropy(logits.flatten(0, 1), target.flatten(), ignore_index=-100)
    opt.zero_grad(); loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step()
`;

const RNNWASM_CODE = `
import { init, data } from 'rnn-wasm';
const rnn = await init();

// The same modules under the same state_dict names: encoder.embedding.weight,
// encoder.lstm.weight_ih_l0, ..., decoder.attn.weight, decoder.concat.bias, decoder.fc.weight
const model = new rnn.models.Seq2Seq({
  srcVocab: 61, tgtVocab: 15, embedDim: 32, hiddenDim: 64,
  cell: 'lstm', attention: 'general', bosId: 2, eosId: 3, seed: 7,
});

// Batches: padded sources with their lengths (packed), decoder inputs
// [BOS, y0, y1, ...] (teacher forcing), targets [y0, y1, ..., EOS] padded with -100.
const batches = model.makeBatches(sources, targets, { batchSize: 64, seed: 3 });
await rnn.fit(model, {
  train: batches, loss: 'crossEntropy', epochs: 5, optimizer: 'adam', lr: 2e-3, clipGradNorm: 1,
  lrSchedule: { type: 'cosine', totalSteps: 5 * batches.length, minLr: 1e-4 },
});
// model.teacherForcing = 0.5   // scheduled sampling: feed back predictions half the time

model.eval();
const [g] = model.greedy([srcVocab.encode('Tuesday, March 5, 1996')], { maxLength: 12 });
const [b] = model.beamSearch([srcVocab.encode('Tuesday, March 5, 1996')], { beamWidth: 3 });
tgtVocab.decode(g.tokens);   // '1996-03-05'; g.logProb, b.logProb, b.score
rnn.safetensors.serialize(model.stateDict());   // loads into the PyTorch model above
`;

export async function setup({ rnn, page }) {
  const root = $('#seq2seq');
  const S = {
    loaded: false, error: null, input: null, decode: null, shown: 0, beam: null, greedy: null,
    agrees: null, forcing: null, training: null, trained: {},
  };
  codeTabs($('#s2s-code'), [
    { id: 'pytorch', label: 'PyTorch', code: PYTORCH_CODE },
    { id: 'rnnwasm', label: 'rnn-wasm', code: RNNWASM_CODE },
  ], { label: 'The same encoder-decoder in PyTorch and in rnn-wasm' });

  const input = $('#s2s-input'), status = $('#s2s-status');
  const chips = $('#s2s-examples');
  for (const s of EXAMPLES) chips.append(el('button', { type: 'button', class: 'chip', onclick: () => { input.value = s; update(); } }, s));

  let model = null, config = null, meta = null, srcVocab = null, tgtVocab = null, stepper = null, shipped = null;
  const tgtText = (ids) => [...ids].map((i) => tgtVocab.tokens[i]).join('');
  const tok = (id) => (id === 2 ? '<s>' : id === 3 ? '</s>' : tgtVocab.tokens[id]);

  // ---- loading the pre-trained model (when the section comes near) -----
  let loading = null;
  function load() {
    loading ??= (async () => {
      status.textContent = 'Loading the pre-trained model…';
      const res = await fetch(DATES_MODEL);
      if (!res.ok) throw new Error(`HTTP ${res.status} for ${DATES_MODEL}`);
      const file = rnn.safetensors.parse(new Uint8Array(await res.arrayBuffer()));
      meta = file.__metadata__;
      config = JSON.parse(meta.config);
      srcVocab = rnn.data.CharVocab.fromJSON(JSON.parse(meta.srcVocab));
      tgtVocab = rnn.data.CharVocab.fromJSON(JSON.parse(meta.tgtVocab));
      model = new rnn.models.Seq2Seq(config);
      model.loadStateDict(file);
      model.eval();
      shipped = model.stateDict();
      stepper = new StepDecoder(rnn, shipped, config);
      S.loaded = true;
      S.model = { params: model.numParams, bytes: res.headers.get('content-length') ?? null, ...meta };
      $('#s2s-provenance').textContent = `Pre-trained: ${int(model.numParams)} parameters, trained by the project’s own script with `
        + `“${meta.trainedWith}” (${int(Number(meta.steps))} steps of teacher-forced training on generated dates); held-out exact match `
        + `${(100 * Number(meta.exactMatchGreedy)).toFixed(1)}% greedy, ${(100 * Number(meta.exactMatchBeam3)).toFixed(1)}% with beam 3. `
        + 'Shipped with the page as .safetensors; “Train” below redoes the training here.';
      status.textContent = '';
      update();
    })().catch((e) => { S.error = e.message; status.textContent = `Could not load the model: ${e.message}`; throw e; });
    return loading;
  }
  visibility(root, (v) => { if (v) load().catch(() => {}); });

  // ---- decode the reader's input ----------------------------------------
  const beamWidth = $('#s2s-beam');
  function update() {
    if (!S.loaded) return;
    const text = input.value;
    if (!text.trim()) { status.textContent = 'Type a date.'; return; }
    status.textContent = '';
    const ids = [...srcVocab.encode(text)];
    const run = stepper.run(ids, { steps: MAX_LENGTH });
    const [g] = model.greedy([Int32Array.from(ids)], { maxLength: MAX_LENGTH });
    const K = Number(beamWidth.value);
    const [b] = model.beamSearch([Int32Array.from(ids)], { beamWidth: K, maxLength: MAX_LENGTH });
    const mine = run.steps.filter((s) => s.predicted !== stepper.eosId).map((s) => s.predicted);
    const myLogProb = run.steps.reduce((a, s) => a + s.logProb, 0);
    S.input = text;
    S.decode = run;
    S.greedy = { tokens: [...g.tokens], text: tgtText(g.tokens), logProb: g.logProb, eos: g.eos };
    S.beam = { width: K, tokens: [...b.tokens], text: tgtText(b.tokens), logProb: b.logProb, score: b.score, eos: b.eos };
    S.stepper = { tokens: mine, logProb: myLogProb };
    S.agrees = mine.join() === S.greedy.tokens.join() && myLogProb === g.logProb;
    S.shown = 0;
    $('#s2s-target').value = S.greedy.text;
    showResults();
    showStep(run.steps.length);
    showForcing();
  }

  function showResults() {
    const out = $('#s2s-results');
    const line = (name, r, extra) => el('div', { class: 's2s-result' },
      el('span', { class: 's2s-method' }, name),
      el('code', { class: 's2s-out' }, r.text || '∅'),
      el('span', { class: 'small muted' }, `log p = ${r.logProb.toFixed(4)} (p = ${Math.exp(r.logProb).toFixed(4)})${extra ?? ''}${r.eos ? '' : ' · no end token'}`));
    out.replaceChildren(
      line('Greedy', S.greedy),
      line(`Beam, width ${S.beam.width}`, S.beam, ` · score = log p / ${S.beam.tokens.length + 1} steps = ${S.beam.score.toFixed(4)}`),
      el('p', { class: 'small muted' }, S.greedy.text === S.beam.text
        ? 'Both find the same output here: greedy’s choice at each step was also the best sequence beam search found.'
        : 'They differ: beam search kept a sequence whose first steps looked worse to greedy but whose total probability is higher.',
      ' ', S.agrees ? '(The step-by-step decoder drawn above gives greedy’s tokens and log-probability bit for bit.)' : 'The step-by-step decoder disagrees with greedy()!'),
    );
  }

  // ---- the diagram and the step-by-step view ------------------------------
  function showStep(n) {
    const run = S.decode, steps = run.steps;
    S.shown = Math.max(0, Math.min(n, steps.length));
    const cur = S.shown > 0 ? steps[S.shown - 1] : null;
    const chars = [...input.value];
    const enc = $('#s2s-enc');
    enc.replaceChildren(...chars.map((ch, s) => el('span', {
      class: 's2s-cell', style: cur ? `--w:${cur.attention[s].toFixed(3)}` : '--w:0',
      title: cur ? `attention ${cur.attention[s].toFixed(3)}` : null,
    }, ch === ' ' ? '␣' : ch)));
    const ctx = $('#s2s-context');
    const p = palette(), sc = scaleFor('state', p.dark);
    ctx.replaceChildren(...Array.from(run.context.h.data.slice(0, 32), (v) => el('i', { style: `background:${colorOf(v, sc)}` })));
    const dec = $('#s2s-dec');
    // The name is the visible tokens with hidden words around them (WCAG 2.5.3: it contains the visible text).
    dec.replaceChildren(...steps.map((s, t) => el('button', {
      type: 'button', class: `s2s-step${t < S.shown ? ' shown' : ''}${t === S.shown - 1 ? ' current' : ''}`, onclick: () => showStep(t + 1),
    }, el('span', { class: 'sr-only' }, `Step ${t + 1}: fed `), el('span', { class: 'fed' }, tok(s.fed)),
    el('span', { class: 'arrow', 'aria-hidden': 'true' }, '↓'), el('span', { class: 'sr-only' }, t < S.shown ? ', predicted ' : ', not decoded yet '),
    el('span', { class: 'out' }, t < S.shown ? tok(s.predicted) : '?'))));
    const detail = $('#s2s-detail');
    if (!cur) {
      detail.textContent = 'Step 0: the encoder has read the input; its final state (h, c) is the context that starts the decoder. Press Step.';
    } else {
      const probs = softmax(cur.logits);
      const top = [...probs.keys()].sort((a, b) => probs[b] - probs[a]).slice(0, 3);
      const best = argmax(cur.attention);
      detail.replaceChildren(
        el('strong', {}, `Step ${S.shown}: `), `fed ${tok(cur.fed)} (${S.shown === 1 ? 'the start token' : 'its own previous output'}), `,
        `looks mostly at “${chars[best] ?? ''}” (position ${best + 1}, weight ${cur.attention[best].toFixed(2)}); predicts `,
        ...top.map((i, k) => el('span', { class: k === 0 ? 'ok' : 'muted' }, `${k ? ', ' : ''}${tok(i)} ${(100 * probs[i]).toFixed(1)}%`)),
      );
    }
    drawAttention();
  }
  $('#s2s-step').addEventListener('click', () => { if (S.decode) showStep(S.shown >= S.decode.steps.length ? 1 : S.shown + 1); });
  $('#s2s-all').addEventListener('click', () => { if (S.decode) showStep(S.decode.steps.length); });
  $('#s2s-reset').addEventListener('click', () => { if (S.decode) showStep(0); });

  // ---- the attention heat map ---------------------------------------------
  const canvas = $('#s2s-attention');
  function drawAttention() {
    const run = S.decode;
    if (!run) return;
    const chars = [...input.value], rows = run.steps.slice(0, Math.max(S.shown, 0));
    const p = palette(), scale = scaleFor('gate', p.dark);
    const cols = chars.length, cell = Math.max(4, Math.min(22, Math.floor((canvas.parentElement.clientWidth - 42) / Math.max(cols, 1))));
    canvas.style.width = `${40 + cols * cell}px`;
    canvas.style.height = `${24 + Math.max(rows.length, 1) * cell}px`;
    const { ctx } = fitCanvas(canvas);
    ctx.font = '11px var(--mono), monospace';
    ctx.fillStyle = p.muted;
    ctx.textAlign = 'center';
    chars.forEach((ch, s) => ctx.fillText(ch === ' ' ? '␣' : ch, 40 + s * cell + cell / 2, 14));
    rows.forEach((r, t) => {
      ctx.fillStyle = p.ink;
      ctx.textAlign = 'right';
      ctx.fillText(tok(r.predicted), 34, 24 + t * cell + cell * 0.7);
      for (let s = 0; s < cols; s++) {
        ctx.fillStyle = colorOf(r.attention[s], scale);
        ctx.fillRect(40 + s * cell, 22 + t * cell, cell - 1, cell - 1);
      }
    });
    const summary = rows.map((r) => { const b = argmax(r.attention); return `${tok(r.predicted)} ← “${chars[b] === ' ' ? 'space' : chars[b]}” ${r.attention[b].toFixed(2)}`; });
    canvas.setAttribute('aria-label', `Attention weights: one row per output token, one column per input character. ${rows.length ? `Strongest per row: ${summary.join('; ')}.` : 'No step decoded yet.'}`);
    $('#s2s-attention-caption').textContent = rows.length
      ? `Where each output looks (strongest input character, weight): ${summary.join(' · ')}.`
      : 'Press Step or Decode all to fill the map.';
  }
  onThemeChange(() => { if (S.decode) showStep(S.shown); });
  new ResizeObserver(debounce(() => drawAttention(), 100)).observe(canvas.parentElement);

  input.addEventListener('input', debounce(update, 150));
  beamWidth.addEventListener('change', update);

  // ---- teacher forcing versus feeding back predictions -------------------
  const forcingModel = $('#s2s-forcing-model'), target = $('#s2s-target');
  const steppers = new Map();   // model name -> StepDecoder
  function stepperFor(name) {
    if (name === 'pretrained') return stepper;
    if (!steppers.has(name)) {
      let sd;
      if (name === 'untrained') {
        const fresh = new rnn.models.Seq2Seq(config);
        sd = fresh.stateDict();
        fresh.dispose();
      } else {
        sd = S.trained[name]?.stateDict;
        if (!sd) return null;
      }
      steppers.set(name, new StepDecoder(rnn, sd, config));
    }
    return steppers.get(name);
  }
  function showForcing() {
    if (!S.loaded) return;
    const dec = stepperFor(forcingModel.value);
    const body = $('#s2s-forcing');
    if (!dec) { body.textContent = 'Train the two models first (below).'; return; }
    const ids = [...srcVocab.encode(input.value)];
    const gold = [...tgtVocab.encode(target.value)];
    const tf = dec.run(ids, { steps: gold.length + 1, gold, teacherForcing: true });
    const free = dec.run(ids, { steps: gold.length + 1, gold });
    const n = gold.length + 1;
    const rows = [];
    let tfRight = 0, freeRight = 0;
    for (let t = 0; t < n; t++) {
      const a = tf.steps[t], b = free.steps[t];
      const g = t < gold.length ? gold[t] : stepper.eosId;
      if (a.predicted === g) tfRight++;
      if (b && b.predicted === g) freeRight++;
      rows.push(el('tr', {},
        el('td', {}, String(t + 1)), el('td', {}, el('code', {}, tok(g))),
        el('td', {}, el('code', {}, tok(a.fed))), el('td', { class: a.predicted === g ? 'ok' : 'bad' }, el('code', {}, tok(a.predicted))),
        el('td', {}, b ? el('code', { class: t > 0 && b.fed !== a.fed ? 'bad' : null }, tok(b.fed)) : '–'),
        el('td', { class: b && b.predicted === g ? 'ok' : 'bad' }, b ? el('code', {}, tok(b.predicted)) : '(stopped)')));
    }
    const tfLoss = -tf.steps.reduce((s, r) => s + r.goldLogProb, 0) / n;
    S.forcing = {
      model: forcingModel.value, gold: target.value, tfRight, freeRight, steps: n, tfLoss,
      freeText: tgtText(free.steps.filter((s) => s.predicted !== stepper.eosId).map((s) => s.predicted)),
      tfFed: tf.steps.map((s) => s.fed), freeFed: free.steps.map((s) => s.fed),
    };
    body.replaceChildren(
      el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Decoder inputs and outputs, step by step' },
        el('table', { class: 'params s2s-table' },
          el('caption', { class: 'sr-only' }, 'Each decoding step: the correct token, then what the decoder is fed and what it predicts, with teacher forcing and when it feeds back its own predictions'),
          el('thead', {}, el('tr', {}, el('th', {}, 'step'), el('th', {}, 'correct'), el('th', {}, 'forced: fed'), el('th', {}, 'predicts'),
            el('th', {}, 'own: fed'), el('th', {}, 'predicts'))),
          el('tbody', {}, rows))),
      el('p', { class: 'small' }, `Teacher forcing: ${tfRight} of ${n} steps right (cross-entropy ${tfLoss.toFixed(3)} per step). `
        + `Feeding back its own predictions: ${freeRight} of ${n} right, output “${S.forcing.freeText}”. `
        + (freeRight < tfRight ? 'Once a prediction is wrong, every later step is fed that mistake, and the errors compound.' : '')),
    );
  }
  forcingModel.addEventListener('change', showForcing);
  target.addEventListener('input', debounce(showForcing, 150));

  // ---- training live: with teacher forcing, and on its own predictions ---
  const trainBtn = $('#s2s-train'), trainSteps = $('#s2s-train-steps'), trainStatus = $('#s2s-train-status');
  let lossChart = null;
  const curves = { step: [], forced: [], own: [] };
  async function ensureChart() {
    $('#s2s-loss-chart').hidden = false;
    $('#s2s-loss-legend').hidden = false;
    lossChart ??= await chart($('#s2s-loss-chart'), (pp, axis) => ({
      scales: { x: { time: false } },
      axes: [axis(pp, 'training step'), axis(pp, 'cross-entropy')],
      series: [{}, { label: 'teacher forcing', stroke: pp.lstm, width: 2 }, { label: 'own predictions', stroke: pp.warn, width: 2 }],
      cursor: { drag: { x: false, y: false } },
      legend: { show: false },
    }), [[], [], []], { height: 220 });
    return lossChart;
  }
  trainBtn.addEventListener('click', async () => {
    if (S.training?.running || !S.loaded) return;
    const maxSteps = Number(trainSteps.value);
    S.training = { running: true, maxSteps, done: {} };
    trainBtn.disabled = true;
    curves.step = []; curves.forced = []; curves.own = [];
    try {
      await ensureChart();
      // Two lab workers train in parallel with the recipe of examples/dates.mjs
      // (same data and seeds; only the teacher-forcing ratio differs).
      const t0 = performance.now();
      const last = { forced: 0, own: 0 };
      const redraw = () => {
        lossChart.setData([curves.step, curves.step.map((_, k) => curves.forced[k] ?? null), curves.step.map((_, k) => curves.own[k] ?? null)]);
        trainStatus.textContent = `Step ${last.forced} of ${maxSteps} with teacher forcing, ${last.own} on its own predictions `
          + `(${((performance.now() - t0) / 1000).toFixed(0)} s, in two workers)`;
      };
      let pending = 0;
      const results = await Promise.all([['forced', 1], ['own', 0]].map(async ([name, ratio]) => {
        const lab = new PlaygroundWorker();
        try {
          const r = await lab.call({ type: 'train-dates', options: { config, srcVocab: srcVocab.toJSON(), teacherForcing: ratio, maxSteps } }, (m) => {
            if (m.event !== 'progress') return;
            const i = m.record.step - 1;
            curves.step[i] = m.record.step;
            curves[name][i] = m.record.loss;
            last[name] = m.record.step;
            if (!pending) pending = requestAnimationFrame(() => { pending = 0; redraw(); });
          });
          return [name, r];
        } finally {
          lab.terminate();
        }
      }));
      cancelAnimationFrame(pending);
      redraw();
      for (const [name, r] of results) {
        S.trained[name] = { stateDict: r.stateDict, steps: r.steps, finalLoss: curves[name][r.steps - 1] };
        steppers.get(name)?.dispose();
        steppers.delete(name);
      }
      if (maxSteps === 1875) {
        const sd = S.trained.forced.stateDict;
        let d = 0;
        for (const k of Object.keys(shipped)) for (let i = 0; i < shipped[k].data.length; i++) d = Math.max(d, Math.abs(shipped[k].data[i] - sd[k].data[i]));
        S.trained.forced.maxDiffFromShipped = d;
      }
      for (const o of forcingModel.options) o.disabled = false;
      const f = S.trained.forced, o = S.trained.own;
      trainStatus.textContent = `Done: after ${maxSteps} steps the loss is ${num(f.finalLoss, 3)} with teacher forcing and ${num(o.finalLoss, 3)} on its own predictions.`
        + (f.maxDiffFromShipped != null ? ` The teacher-forced model is the full recipe of the shipped one: largest weight difference ${f.maxDiffFromShipped === 0 ? '0 (bit for bit the same)' : f.maxDiffFromShipped.toExponential(2)}.` : '');
      $('#s2s-loss-chart').setAttribute('aria-label', `Training loss per step, ${maxSteps} steps: with teacher forcing from ${num(curves.forced[0], 3)} to ${num(f.finalLoss, 3)}, `
        + `fed its own predictions from ${num(curves.own[0], 3)} to ${num(o.finalLoss, 3)}`);
      S.training.running = false;
      S.training.done = { forced: f.finalLoss, own: o.finalLoss };
      forcingModel.value = 'forced';
      showForcing();
    } catch (e) {
      trainStatus.textContent = `Training failed: ${e.message}`;
      S.training.error = e.message;
      S.training.running = false;
    } finally {
      trainBtn.disabled = false;
    }
  });

  return {
    get state() { return S; },
    load,
    /** Decodes text now (tests): what the section shows for it. */
    async decode(text, width = 3) {
      await load();
      input.value = text;
      beamWidth.value = String(width);
      update();
      return { greedy: S.greedy, beam: S.beam, stepper: S.stepper, agrees: S.agrees };
    },
  };
}

function softmax(logits) {
  let mx = -Infinity;
  for (const v of logits) mx = Math.max(mx, v);
  const e = Array.from(logits, (v) => Math.exp(v - mx));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}
