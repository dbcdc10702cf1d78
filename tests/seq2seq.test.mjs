// rnn.models.Seq2Seq (js/seq2seq.js): PyTorch golden values for a training
// step (tests/fixtures/make_seq2seq_fixture.py: loss, logits and every
// gradient, LSTM/GRU x no attention / dot / general, teacher forcing 1 and
// free-running 0) and greedy decoding; decoding behaviour (beam 1 = greedy,
// beam at least as likely as greedy, EOS / maxLength, batched = one by one,
// streamed tokens in order); a short date-conversion training run through
// fit(); errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, data, RnnError } from '../dist/index.js';
import { BACKENDS, assertClose, loadFixture } from './helpers/util.mjs';

const fx = loadFixture('seq2seq.json');
const f32 = (j) => ({ shape: j.shape, data: Float32Array.from(j.data) });
const ids = (rows) => ({ shape: [rows.length, rows[0].length], data: Int32Array.from(rows.flat()) });

function loadCase(rnn, c) {
  const model = new rnn.models.Seq2Seq({ ...c.config, seed: 1 });
  assert.deepEqual(Object.keys(model.stateDict()), Object.keys(c.params), `${c.name}: state_dict keys (and order)`);
  model.loadStateDict(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, f32(v)])));
  return model;
}

for (const backend of BACKENDS) {
  test(`Seq2Seq: one training step equals PyTorch's step-wise decoder (${backend.name})`, async () => {
    const rnn = await init({ simd: backend.simd });
    for (const c of fx.cases) {
      const model = loadCase(rnn, c);
      try {
        const B = c.src.length, T = c.y[0].length, V = c.config.tgtVocab;
        const out = model.forward(ids(c.src), { lengths: c.lengths, decoderInput: ids(c.decoderInput) });
        assert.deepEqual(out.shape, [B, T, V]);
        const y = Int32Array.from(c.y.flat());
        // logits where there is a target (past a target's end the engine's packed
        // decoder and PyTorch's unpacked one differ, and nothing uses them)
        const got = [], want = [];
        y.forEach((t, i) => { if (t !== -100) for (let v = 0; v < V; v++) { got.push(out.data[i * V + v]); want.push(c.logits.data[i * V + v]); } });
        assertClose(got, want, { atol: 2e-5, what: `${c.name} logits` });
        const { loss, grad } = rnn.losses.crossEntropy({ shape: [B * T, V], data: out.data }, y);
        assert.ok(Math.abs(loss - c.loss) <= 1e-5 * c.loss, `${c.name}: loss ${loss} vs PyTorch ${c.loss}`);
        model.zeroGrad();
        model.backward({ shape: out.shape, data: grad.data });
        const grads = model.grads();
        for (const [k, v] of Object.entries(c.grads)) assertClose(grads[k], v, { rtol: 1e-4, atol: 1e-8, what: `${c.name} grad ${k}` });
        model.eval();
        const g = model.greedy(ids(c.src), { lengths: c.lengths, maxLength: c.greedy.maxLength });
        g.forEach((r, b) => {
          const w = c.greedy.results[b];
          assert.deepEqual([...r.tokens], w.tokens, `${c.name} greedy tokens [${b}]`);
          assert.equal(r.eos, w.eos, `${c.name} greedy eos [${b}]`);
          assert.ok(Math.abs(r.logProb - w.logProb) < 1e-4, `${c.name} greedy logProb [${b}] ${r.logProb} vs ${w.logProb}`);
        });
      } finally {
        model.dispose();
      }
    }
  });
}

test('Seq2Seq: state dict, parameters and training through fit on PyTorch-shaped batches', async () => {
  const rnn = await init();
  const c = fx.cases.find((k) => k.config.attention === 'general' && k.config.cell === 'gru');
  const model = loadCase(rnn, c);
  try {
    assert.equal(model.parameters().length, Object.keys(c.params).length);
    assert.ok(model.parameters().every((p, i) => p.name === Object.keys(c.params)[i]));
    assert.equal(model.numParams, Object.values(c.params).reduce((s, v) => s + v.data.length, 0));
    const sd = model.stateDict();
    assert.ok(sd['decoder.embedding.weight'].data.subarray(0, c.config.embedDim).every((v) => v === 0), 'padding row');
    assert.ok(!('decoder.attn.bias' in sd), 'general attention has no bias (Luong W_a)');
  } finally {
    model.dispose();
  }
  assert.throws(() => model.stateDict(), (e) => e instanceof RnnError && e.code === 'DISPOSED');
});

// ---------------------------------------------------------------- decoding

// A random model with its weights (not embeddings) scaled up, so that its
// outputs depend on the source: some hypotheses end with EOS, others run to maxLength.
async function randomModel(rnn, opts = {}) {
  const model = new rnn.models.Seq2Seq({ srcVocab: 15, tgtVocab: 12, embedDim: 8, hiddenDim: 16, attention: 'dot', seed: 11, ...opts });
  const sd = model.stateDict();
  for (const [k, v] of Object.entries(sd)) if (!k.includes('embedding')) for (let i = 0; i < v.data.length; i++) v.data[i] *= 3;
  model.loadStateDict(sd);
  return model.eval();
}

function randomSources(n, seed, maxLen = 9) {
  const rng = data.createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: 1 + rng.int(maxLen) }, () => 1 + rng.int(14)));
}

// log p(tokens [+ EOS] | src) by the teacher-forced forward.
function rescore(rnn, model, src, tokens, eos) {
  const T = tokens.length + 1;
  const din = Int32Array.from([model.bosId, ...tokens]);
  const out = model.forward({ shape: [1, src.length], data: Int32Array.from(src) }, { decoderInput: { shape: [1, T], data: din } });
  const V = model.tgtVocab;
  let lp = 0;
  const want = [...tokens, model.eosId];
  for (let t = 0; t < (eos ? T : T - 1); t++) {
    const row = out.data.subarray(t * V, (t + 1) * V);
    const mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
    lp += row[want[t]] - lse;
  }
  return lp;
}

test('Seq2Seq decoding: beam 1 = greedy, beam >= greedy, model scores, EOS and maxLength, batching, streaming', async () => {
  const rnn = await init();
  for (const [cell, attention, numLayers] of [['lstm', 'none', 1], ['lstm', 'general', 2], ['gru', 'none', 2], ['gru', 'dot', 1]]) {
    const model = await randomModel(rnn, { cell, attention, numLayers });
    try {
      const srcs = randomSources(12, 5);
      const greedy = model.greedy(srcs);
      const beam1 = model.beamSearch(srcs, { beamWidth: 1 });
      const beam1n = model.beamSearch(srcs, { beamWidth: 1, lengthNormalization: 0 });
      greedy.forEach((g, b) => {
        for (const r of [beam1[b], beam1n[b]]) {
          assert.deepEqual([...r.tokens], [...g.tokens], `${cell}/${attention}: beam 1 tokens = greedy [${b}]`);
          assert.equal(r.logProb, g.logProb, 'beam 1 logProb = greedy');
          assert.equal(r.eos, g.eos);
        }
      });
      assert.ok(greedy.some((g) => g.eos) && greedy.some((g) => !g.eos), `${cell}/${attention}: the random model ends some but not all hypotheses`);
      // beam (no length normalization) finds a sequence at least as likely as greedy,
      // and its log-probability is the model's own (re-scored by the teacher-forced forward)
      const beam = model.beamSearch(srcs, { beamWidth: 4, lengthNormalization: 0 });
      beam.forEach((r, b) => {
        assert.ok(r.logProb >= greedy[b].logProb - 1e-5, `${cell}/${attention}: beam ${r.logProb} < greedy ${greedy[b].logProb} [${b}]`);
        assert.equal(r.score, r.logProb);
        assert.ok(Math.abs(rescore(rnn, model, srcs[b], [...r.tokens], r.eos) - r.logProb) < 1e-4, 'beam logProb = re-scored log-probability');
        assert.ok(Math.abs(rescore(rnn, model, srcs[b], [...greedy[b].tokens], greedy[b].eos) - greedy[b].logProb) < 1e-4);
      });
      // EOS never inside the tokens; maxLength respected (default 2 * length + 10)
      for (const [res, maxLen] of [[beam, null], [greedy, null], [model.beamSearch(srcs, { maxLength: 3 }), 3], [model.greedy(srcs, { maxLength: 2 }), 2]]) {
        res.forEach((r, b) => {
          const m = maxLen ?? 2 * srcs[b].length + 10;
          assert.ok(!r.tokens.includes(model.eosId));
          assert.ok(r.eos ? r.tokens.length < m : r.tokens.length === m, `length ${r.tokens.length}, eos ${r.eos}, maxLength ${m}`);
        });
      }
      const normed = model.beamSearch(srcs, { beamWidth: 4 });
      normed.forEach((r) => assert.ok(Math.abs(r.score - r.logProb / (r.tokens.length + (r.eos ? 1 : 0))) < 1e-12, 'score = logProb / length'));
      // batched (padded, unsorted lengths) = one example at a time
      const K = 3;
      const batched = model.beamSearch(srcs, { beamWidth: K });
      const greedyOne = srcs.map((s) => model.greedy([s])[0]);
      srcs.forEach((s, b) => {
        const one = model.beamSearch([s], { beamWidth: K })[0];
        assert.deepEqual([...batched[b].tokens], [...one.tokens], `batched beam = single [${b}]`);
        assert.ok(Math.abs(batched[b].logProb - one.logProb) < 1e-4);
        assert.deepEqual([...greedy[b].tokens], [...greedyOne[b].tokens], `batched greedy = single [${b}]`);
        assert.ok(Math.abs(greedy[b].logProb - greedyOne[b].logProb) < 1e-4);
      });
      const padded = data.padSequences(srcs);
      const viaTensor = model.beamSearch(padded.ids, { lengths: padded.lengths, beamWidth: K });
      viaTensor.forEach((r, b) => assert.deepEqual([...r.tokens], [...batched[b].tokens]));
      // streaming: every token once, in order, the result's tokens
      for (const run of [(cb) => model.greedy(srcs, { onToken: cb }), (cb) => model.beamSearch(srcs, { beamWidth: K, onToken: cb })]) {
        const streams = srcs.map(() => []);
        let calls = 0;
        const res = run((b, tok, pos) => { assert.equal(pos, streams[b].length, 'positions in order'); streams[b].push(tok); calls++; });
        res.forEach((r, b) => assert.deepEqual(streams[b], [...r.tokens]));
        assert.equal(calls, res.reduce((s, r) => s + r.tokens.length, 0));
      }
    } finally {
      model.dispose();
    }
  }
});

// ------------------------------------------------------- dates via fit()

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const pad2 = (n) => String(n).padStart(2, '0');
const FORMATS = [
  (y, m, d) => `${MONTHS[m - 1]} ${d}, ${y}`,
  (y, m, d) => `${d} ${MONTHS[m - 1].slice(0, 3)} ${y}`,
  (y, m, d) => `${pad2(m)}/${pad2(d)}/${y}`,
  (y, m, d) => `${pad2(d)}.${pad2(m)}.${y}`,
];
function dates(n, seed) {
  const rng = data.createRng(seed);
  const start = Date.UTC(1950, 0, 1), days = 36524;
  return Array.from({ length: n }, () => {
    const dt = new Date(start + rng.int(days) * 86400000);
    const y = dt.getUTCFullYear(), m = dt.getUTCMonth() + 1, d = dt.getUTCDate();
    const text = FORMATS[rng.int(FORMATS.length)](y, m, d);
    return { text: rng.int(2) ? text.toLowerCase() : text, iso: `${y}-${pad2(m)}-${pad2(d)}` };
  });
}

test('Seq2Seq learns date conversion through fit (attention, padded batches, scheduled sampling)', async () => {
  const rnn = await init();
  const train = dates(3000, 1), held = dates(300, 2);
  const src = data.CharVocab.fromText(train.map((e) => e.text).join(''));
  const tgt = new data.CharVocab(['^', '$', ...'0123456789-']);
  const model = new rnn.models.Seq2Seq({
    srcVocab: src.size, tgtVocab: tgt.size, embedDim: 16, hiddenDim: 64, attention: 'dot', seed: 3,
  });
  try {
    const batches = model.makeBatches(train.map((e) => src.encode(e.text)), train.map((e) => tgt.encode(e.iso)), { batchSize: 32, seed: 1 });
    const b0 = batches[0];
    assert.equal(b0.x.decoderInput.data[0], model.bosId);
    assert.equal(b0.y.data[10], model.eosId, 'targets end with EOS');
    assert.deepEqual(b0.y.shape, [32, 11]);
    const epochs = 3;
    const h = await rnn.fit(model, {
      train: batches, loss: 'crossEntropy', epochs, lr: 5e-3, clipGradNorm: 1, seed: 2,
      onProgress: (p) => { if (p.epochEnd && p.epoch === epochs - 2) model.teacherForcing = 0.8; },
    });
    assert.equal(model.teacherForcing, 0.8);
    assert.ok(h.epochs[epochs - 1].loss < 0.1, `final loss ${h.epochs[epochs - 1].loss}`);
    model.eval();
    const out = model.greedy(held.map((e) => src.encode(e.text)));
    const acc = out.filter((o, i) => o.eos && tgt.decode(o.tokens) === held[i].iso).length / held.length;
    assert.ok(acc >= 0.9, `held-out exact match ${acc}`);
    const beam = model.beamSearch(held.slice(0, 50).map((e) => src.encode(e.text)), { beamWidth: 4, lengthNormalization: 0 });
    beam.forEach((r, i) => assert.ok(r.logProb >= out[i].logProb - 1e-5, 'beam at least as likely as greedy (trained model)'));
    // beam search streams a token as soon as every remaining candidate agrees on it
    // (here: long before the search ends); counted in decoder steps
    let steps = 0;
    const step = model._step;
    model._step = function counted(...a) { steps++; return step.apply(this, a); };
    const events = [];
    const [r] = model.beamSearch([src.encode('March 5, 1996')], { beamWidth: 4, onToken: (b, tok, pos) => events.push({ tok, pos, steps }) });
    model._step = step;
    assert.equal(tgt.decode(r.tokens), '1996-03-05');
    assert.deepEqual(events.map((e) => e.tok), [...r.tokens]);
    assert.ok(events[0].steps < steps, `first token streamed at decoder step ${events[0].steps} of ${steps}`);
  } finally {
    model.dispose();
  }
});

// ------------------------------------------------------------------ errors

test('Seq2Seq errors are RnnErrors', async () => {
  const rnn = await init();
  const S2S = rnn.models.Seq2Seq;
  const code = (c, re) => (e) => e instanceof RnnError && e.code === c && (!re || re.test(e.message));
  const base = { srcVocab: 10, tgtVocab: 8, embedDim: 4, hiddenDim: 5, seed: 1 };
  assert.throws(() => new S2S({ ...base, cell: 'rnn' }), code('INVALID_ARGUMENT', /cell/));
  assert.throws(() => new S2S({ ...base, attention: 'bahdanau' }), code('INVALID_ARGUMENT', /attention/));
  assert.throws(() => new S2S({ ...base, bosId: 4, eosId: 4 }), code('INVALID_ARGUMENT', /differ/));
  assert.throws(() => new S2S({ ...base, eosId: 8 }), code('INVALID_ARGUMENT', /eosId/));
  assert.throws(() => new S2S({ ...base, srcVocab: 1 }), code('INVALID_ARGUMENT', /srcVocab/));
  assert.throws(() => new S2S({ ...base, hidden: 5 }), code('INVALID_ARGUMENT', /unknown option 'hidden'/));
  assert.throws(() => new S2S({ ...base, teacherForcing: 1.5 }), code('INVALID_ARGUMENT', /teacherForcing/));
  assert.throws(() => new S2S({ ...base, dropout: 1 }), code('INVALID_ARGUMENT', /dropout/));
  const m = new S2S({ ...base, attention: 'general', numLayers: 2, dropout: 0.1 });
  try {
    assert.throws(() => { m.teacherForcing = -0.1; }, code('INVALID_ARGUMENT', /teacherForcing/));
    const src = { shape: [2, 3], data: Int32Array.from([1, 2, 3, 4, 5, 0]) };
    const din = { shape: [2, 2], data: Int32Array.from([2, 5, 2, 0]) };
    assert.throws(() => m.forward(src, { lengths: [3, 2] }), code('INVALID_ARGUMENT', /decoderInput/));
    assert.throws(() => m.forward({ shape: [2, 3], data: Int32Array.from([1, 2, 10, 4, 5, 0]) }, { lengths: [3, 2], decoderInput: din }), code('INVALID_ARGUMENT', /src\[0, 2\] = 10/));
    assert.throws(() => m.forward(src, { lengths: [3, 2], decoderInput: { shape: [2, 2], data: Int32Array.from([2, 8, 2, 0]) } }), code('INVALID_ARGUMENT', /decoderInput\[0, 1\] = 8/));
    assert.throws(() => m.forward(src, { lengths: [4, 2], decoderInput: din }), code('INVALID_ARGUMENT', /lengths\[0\]/));
    assert.throws(() => m.forward(src, { lengths: [3, 2], decoderInput: { shape: [3, 2], data: new Int32Array(6) } }), code('SHAPE', /decoderInput/));
    assert.throws(() => m.forward({ shape: [6], data: src.data }, { decoderInput: din }), code('SHAPE', /\[B, S\]/));
    assert.throws(() => m.forward(src, { lengths: [3, 2], decoderInput: din, state: {} }), code('UNSUPPORTED'));
    assert.throws(() => m.forward(src, { lenghts: [3, 2] }), code('INVALID_ARGUMENT', /unknown option 'lenghts'/));
    assert.throws(() => m.backward({ shape: [2, 2, 8], data: new Float32Array(32) }), code('STATE'));
    const out = m.forward(src, { lengths: [3, 2], decoderInput: din });
    assert.throws(() => m.backward({ shape: [2, 3, 8], data: new Float32Array(48) }), code('SHAPE', /dLogits/));
    m.forward(src, { lengths: [3, 2], decoderInput: din });
    m.greedy(src, { lengths: [3, 2] });
    assert.throws(() => m.backward({ shape: out.shape, data: new Float32Array(out.data.length) }), code('STATE'), 'decoding clears the forward');
    assert.throws(() => m.greedy(src, { lengths: [3, 2], maxLength: 0 }), code('INVALID_ARGUMENT', /maxLength/));
    assert.throws(() => m.greedy(src, { onToken: 5 }), code('INVALID_ARGUMENT', /onToken/));
    assert.throws(() => m.beamSearch(src, { beamWidth: 0 }), code('INVALID_ARGUMENT', /beamWidth/));
    assert.throws(() => m.beamSearch(src, { lengthNormalization: -1 }), code('INVALID_ARGUMENT', /lengthNormalization/));
    assert.throws(() => m.beamSearch(src, { beam: 3 }), code('INVALID_ARGUMENT', /unknown option 'beam'/));
    assert.throws(() => m.greedy([[1, 2], []]), (e) => e instanceof RnnError);
    assert.throws(() => m.greedy([[1, 2]], { lengths: [2] }), code('INVALID_ARGUMENT', /lengths/));
    assert.throws(() => m.makeBatches([[1, 2]], [[9]]), code('INVALID_ARGUMENT', /targets\[0\]\[0\] = 9/));
    assert.throws(() => m.makeBatches([[1, 2]], []), code('INVALID_ARGUMENT', /same length/));
    assert.throws(() => m.makeBatches([[]], [[4]]), code('INVALID_ARGUMENT', /sources\[0\] is empty/));
  } finally {
    m.dispose();
  }
  assert.throws(() => m.greedy([[1]]), code('DISPOSED'));
});
