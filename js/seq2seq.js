// seq2seq.js - rnn.models.Seq2Seq: an encoder-decoder (RNN "sequence to
// sequence") model with optional Luong attention, trained with teacher
// forcing / scheduled sampling through fit(), decoded greedily or with beam
// search, tokens streamed to a callback as they become final. This file is
// the model (encoder, decoder step, training forward / backward, batches);
// seq2seq/attention.js, seq2seq/decode.js (greedy) and seq2seq/beam-search.js
// hold the rest.
//
// PyTorch twin (tests/fixtures/make_seq2seq_fixture.py, examples/pytorch/g2p.py):
//   encoder.embedding = nn.Embedding(srcVocab, E, padding_idx=0)
//   encoder.<cell>    = nn.LSTM / nn.GRU(E, H, numLayers, batch_first=True,
//                       dropout=dropout if numLayers > 1 else 0)
//                       fed pack_padded_sequence(emb, srcLengths, enforce_sorted=False)
//   decoder.embedding = nn.Embedding(tgtVocab, E, padding_idx=0)
//   decoder.<cell>    = like encoder.<cell>, its (h0, c0) = the encoder's (h_n, c_n)
//   decoder.attn      = nn.Linear(H, H, bias=False)       (attention 'general' only)
//   decoder.concat    = nn.Linear(2H, H)                  (attention 'dot' / 'general')
//   decoder.fc        = nn.Linear(H, tgtVocab)
//   (<cell> is 'lstm' or 'gru'; with dropout > 0, nn.Dropout on both embeddings.)
//
// Decoder step t (input token y_{t-1}, y_{-1} = BOS), Luong global attention
// without input feeding:
//   h_t        = cell(embedding(y_{t-1}), h_{t-1})        top layer's output [H]
//   attention 'none':  logits_t = fc(h_t)
//   otherwise, over the valid source positions s < srcLength (the rest masked out):
//     score(h_t, h_s) = h_t . h_s            ('dot')
//                     = h_t . (W_a h_s)       ('general', W_a = decoder.attn.weight)
//     a_t    = softmax_s(score(h_t, h_s))
//     c_t    = sum_s a_t[s] h_s               (h_s: encoder outputs of the top layer)
//     h~_t   = tanh(W_c [c_t; h_t] + b_c)     (decoder.concat.weight / .bias)
//     logits_t = fc(h~_t)
//
// Because the recurrent input at step t is only the previous token (no input
// feeding), a teacher-forced decoder runs as ONE recurrent forward over the
// whole target sequence, and the attention over all steps is computed after
// it; backward is one BPTT through that forward. Scheduled sampling (a
// teacher-forcing ratio < 1) needs the model's own predictions as inputs, so
// training then runs in two passes: (1) a step-by-step pass (T = 1 forwards,
// state carried in JS, evaluation mode = no dropout) that decides every
// input token (gold with probability `teacherForcing`, else the argmax of the
// previous step's logits), then (2) the ordinary one-forward run of the
// decoder over those inputs, whose cached activations give exact BPTT across
// all steps. The argmax has no gradient, so (2) yields the same gradients as
// a step-wise loop with autograd (tested against PyTorch for ratio 0).
import { Container, disposeOnThrow, partSeed } from './container.js';
import { RnnError } from './errors.js';
import { createRng, padSequences, shuffle } from './data.js';
import { indexTensor } from './layers.js';
import { Dropout, Embedding, Linear } from './layers.js';
import { GRU, LSTM } from './recurrent.js';
import { checkTensor, flushF32, toFloat32Flushed } from './tensor.js';
import { checkKnown, intOption, numOption, randomSeed } from './options.js';
import { attend, attendBackward } from './seq2seq/attention.js';
import { beamSearch } from './seq2seq/beam-search.js';
import { greedy } from './seq2seq/decode.js';

const CELLS = { lstm: LSTM, gru: GRU };
const ATTENTION = ['none', 'dot', 'general'];

function isSeqArray(v) {
  return Array.isArray(v) && v.length > 0 && v.every((s) => Array.isArray(s) || ArrayBuffer.isView(s));
}

function lengthsOf(lengths, B, S, what) {
  if (lengths == null) return new Int32Array(B).fill(S);
  if (!Array.isArray(lengths) && !ArrayBuffer.isView(lengths)) {
    throw new RnnError('INVALID_ARGUMENT', `${what}: lengths must be an array or Int32Array of ${B} integers`);
  }
  if (lengths.length !== B) throw new RnnError('SHAPE', `${what}: lengths has ${lengths.length} entries but the batch has ${B}`);
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const v = lengths[b];
    if (!Number.isInteger(v) || v < 1 || v > S) {
      throw new RnnError('INVALID_ARGUMENT', `${what}: lengths[${b}] must be an integer in [1, ${S}], got ${v}`);
    }
    out[b] = v;
  }
  return out;
}

export class Seq2Seq extends Container {
  constructor(core, opts = {}) {
    const what = 'Seq2Seq';
    checkKnown(opts ?? {}, ['srcVocab', 'tgtVocab', 'embedDim', 'hiddenDim', 'cell', 'numLayers', 'attention',
      'dropout', 'teacherForcing', 'bosId', 'eosId', 'seed'], what);
    opts = opts ?? {};
    const srcVocab = intOption(opts, 'srcVocab', what, { min: 2, max: 2 ** 30 });
    const tgtVocab = intOption(opts, 'tgtVocab', what, { min: 3, max: 2 ** 30 });
    const embedDim = intOption(opts, 'embedDim', what, { max: 1 << 16, def: 64 });
    const hiddenDim = intOption(opts, 'hiddenDim', what, { max: 1 << 14, def: 128 });
    const numLayers = intOption(opts, 'numLayers', what, { max: 64, def: 1 });
    const cell = opts.cell ?? 'lstm';
    if (!(cell in CELLS)) throw new RnnError('INVALID_ARGUMENT', `${what}: 'cell' must be 'lstm' or 'gru', got ${JSON.stringify(cell)}`);
    const attention = opts.attention ?? 'none';
    if (!ATTENTION.includes(attention)) {
      throw new RnnError('INVALID_ARGUMENT', `${what}: 'attention' must be 'none', 'dot' or 'general', got ${JSON.stringify(attention)}`);
    }
    const dropout = numOption(opts, 'dropout', what, { min: 0, max: 1, maxExclusive: true, def: 0 });
    const teacherForcing = numOption(opts, 'teacherForcing', what, { min: 0, max: 1, def: 1 });
    const bosId = intOption(opts, 'bosId', what, { min: 1, max: tgtVocab - 1, def: Math.min(2, tgtVocab - 1) });
    const eosId = intOption(opts, 'eosId', what, { min: 1, max: tgtVocab - 1, def: Math.min(3, tgtVocab - 1) });
    if (bosId === eosId) throw new RnnError('INVALID_ARGUMENT', `${what}: 'bosId' and 'eosId' must differ, both are ${bosId}`);
    const seed = intOption(opts, 'seed', what, { min: 0, max: 2 ** 32 - 1, def: randomSeed() });
    const sub = (k) => partSeed(seed, k);
    const Cell = CELLS[cell];
    const { encoder, decoder } = disposeOnThrow((keep) => {
      const rnnOpts = (s) => ({
        inputSize: embedDim, hiddenSize: hiddenDim, numLayers, batchFirst: true,
        dropout: numLayers > 1 ? dropout : 0, seed: s,
      });
      const enc = [
        ['embedding', keep(new Embedding(core, { numEmbeddings: srcVocab, embeddingDim: embedDim, paddingIdx: 0, seed: sub(1) }))],
        [cell, keep(new Cell(core, rnnOpts(sub(2))))],
      ];
      const dec = [
        ['embedding', keep(new Embedding(core, { numEmbeddings: tgtVocab, embeddingDim: embedDim, paddingIdx: 0, seed: sub(3) }))],
        [cell, keep(new Cell(core, rnnOpts(sub(4))))],
      ];
      if (attention === 'general') dec.push(['attn', keep(new Linear(core, { inFeatures: hiddenDim, outFeatures: hiddenDim, bias: false, seed: sub(5) }))]);
      if (attention !== 'none') dec.push(['concat', keep(new Linear(core, { inFeatures: 2 * hiddenDim, outFeatures: hiddenDim, seed: sub(6) }))]);
      dec.push(['fc', keep(new Linear(core, { inFeatures: hiddenDim, outFeatures: tgtVocab, seed: sub(7) }))]);
      if (dropout > 0) {
        enc.push(['embeddingDropout', keep(new Dropout(core, { p: dropout, seed: sub(8) }))]);
        dec.push(['embeddingDropout', keep(new Dropout(core, { p: dropout, seed: sub(9) }))]);
      }
      return { encoder: new Container('Seq2Seq encoder', enc), decoder: new Container('Seq2Seq decoder', dec) };
    });
    super(what, [['encoder', encoder], ['decoder', decoder]]);
    const get = (c, name) => c._children.find(([n]) => n === name)?.[1] ?? null;
    this.encoder = encoder;
    this.decoder = decoder;
    this._enc = { embedding: get(encoder, 'embedding'), rnn: get(encoder, cell), drop: get(encoder, 'embeddingDropout') };
    this._dec = {
      embedding: get(decoder, 'embedding'), rnn: get(decoder, cell), drop: get(decoder, 'embeddingDropout'),
      attn: get(decoder, 'attn'), concat: get(decoder, 'concat'), fc: get(decoder, 'fc'),
    };
    Object.assign(this, { srcVocab, tgtVocab, embedDim, hiddenDim, numLayers, cell, attention, dropout, bosId, eosId, seed });
    this._tf = teacherForcing;
    this._rng = createRng(sub(10));
    this._last = null;
  }

  /**
   * The teacher-forcing ratio used by forward() in training mode: the
   * probability that a decoder input is the gold previous token rather than
   * the model's own prediction (1 = pure teacher forcing). Change it between
   * steps or epochs for scheduled sampling.
   */
  get teacherForcing() { return this._tf; }
  set teacherForcing(v) {
    this._tf = numOption({ teacherForcing: v }, 'teacherForcing', 'Seq2Seq', { min: 0, max: 1 });
  }

  // ----------------------------------------------------------------- encoder

  // Source ids ([B, S] tensor, or an array of id sequences) -> encoder
  // outputs and final state, attention keys. Leaves the encoder layers'
  // forward caches set (training uses them for backward).
  _encode(src, lengths, what) {
    if (isSeqArray(src)) {
      if (lengths != null) throw new RnnError('INVALID_ARGUMENT', `${what}: give lengths only with a padded [B, S] tensor (an array of sequences has its own lengths)`);
      const p = padSequences(src);
      src = p.ids;
      lengths = p.lengths;
    }
    const ids = indexTensor(src, what, 'src', this.srcVocab);
    if (ids.shape.length !== 2 || ids.shape[0] < 1 || ids.shape[1] < 1) {
      throw new RnnError('SHAPE', `${what}: src must have shape [B, S] (batch first, B, S >= 1), got [${ids.shape}]`);
    }
    const [B, S] = ids.shape;
    const srcLen = lengthsOf(lengths, B, S, what);
    const H = this.hiddenDim;
    let emb = this._enc.embedding.forward(ids);
    if (this._enc.drop) emb = this._enc.drop.forward(emb);
    const r = this._enc.rnn.forward(emb, { lengths: srcLen });
    const enc = r.output.data;
    let keys = enc;
    if (this.attention === 'general') keys = this._dec.attn.forward({ shape: [B, S, H], data: enc }).data;
    return { B, S, srcLen, enc, keys, hN: r.hN, cN: r.cN ?? null };
  }

  // One decoder step for R rows (row r uses example floor(r / per)):
  // ids [R] -> { logits [R * V], hN, cN }.
  _step(ids, h, c, e, per, scratch) {
    const R = ids.length, H = this.hiddenDim, d = this._dec;
    let emb = d.embedding.forward({ shape: [R, 1], data: ids });
    if (d.drop) emb = d.drop.forward(emb);
    const st = { h0: h };
    if (c) st.c0 = c;
    const r = d.rnn.forward(emb, st);
    let top = r.output.data; // [R, 1, H]
    if (this.attention !== 'none') {
      attend(top, R, per, e, H, scratch.cat, null, scratch.sc, scratch.ctx);
      const pre = d.concat.forward({ shape: [R, 2 * H], data: scratch.cat }).data;
      for (let i = 0; i < pre.length; i++) pre[i] = Math.tanh(pre[i]);
      top = pre;
    }
    const logits = d.fc.forward({ shape: [R, H], data: top }).data;
    return { logits, hN: r.hN, cN: r.cN ?? null };
  }

  _scratch(R, S) {
    if (this.attention === 'none') return null;
    const H = this.hiddenDim;
    return { cat: new Float32Array(R * 2 * H), sc: new Float64Array(S), ctx: new Float64Array(H) };
  }

  // ------------------------------------------------------------- training

  /**
   * Teacher-forced (or scheduled-sampling) run for training and evaluation:
   * src [B, S] source ids (0 = padding; or an array of id sequences),
   * options.lengths the source lengths, options.decoderInput [B, T] the
   * decoder inputs: each row [bosId, y_0, ..., y_{n-1}] then 0 padding
   * (also read from src.decoderInput, as made by makeBatches). Returns the
   * logits [B, T, tgtVocab]; the targets are [y_0, ..., y_{n-1}, eosId],
   * padded with ignoreIndex (-100). In training mode a teacher-forcing
   * ratio < 1 replaces gold inputs by the model's predictions.
   */
  forward(src, options = {}) {
    this._live();
    const what = 'Seq2Seq.forward';
    if (options === null || typeof options !== 'object') throw new RnnError('INVALID_ARGUMENT', `${what}: the second argument must be an object { lengths, decoderInput }`);
    checkKnown(options, ['lengths', 'decoderInput', 'state'], what);
    if (options.state != null) throw new RnnError('UNSUPPORTED', `${what}: carrying state between batches (tbptt) is not supported`);
    this._last = null;
    const decIn = options.decoderInput ?? src?.decoderInput;
    if (decIn == null) {
      throw new RnnError('INVALID_ARGUMENT', `${what}: decoderInput [B, T] is required (the teacher-forced decoder inputs, see makeBatches); use greedy() or beamSearch() to decode`);
    }
    const di = indexTensor(decIn, what, 'decoderInput', this.tgtVocab);
    const e = this._encode(src, options.lengths, what);
    const { B, S } = e;
    if (di.shape.length !== 2 || di.shape[0] !== B || di.shape[1] < 1) {
      throw new RnnError('SHAPE', `${what}: decoderInput must have shape [${B}, T] (T >= 1), got [${di.shape}]`);
    }
    const T = di.shape[1], H = this.hiddenDim, V = this.tgtVocab, d = this._dec;
    const tgtLen = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      let n = 1;
      for (let t = T - 1; t > 0; t--) if (di.data[b * T + t] !== 0) { n = t + 1; break; }
      tgtLen[b] = n;
    }
    let inputs = di.data;
    if (this.training && this._tf < 1 && T > 1) inputs = this._sampleInputs(e, di.data, tgtLen, T);

    let emb = d.embedding.forward({ shape: [B, T], data: inputs });
    if (d.drop) emb = d.drop.forward(emb);
    const st = { h0: e.hN, lengths: tgtLen };
    if (e.cN) st.c0 = e.cN;
    const dec = d.rnn.forward(emb, st).output.data; // [B, T, H]
    let top = dec, a = null, ht = null;
    if (this.attention !== 'none') {
      const rows = B * T;
      a = new Float32Array(rows * S);
      const cat = new Float32Array(rows * 2 * H);
      attend(dec, rows, T, e, H, cat, a, new Float64Array(S), new Float64Array(H));
      ht = d.concat.forward({ shape: [B, T, 2 * H], data: cat }).data;
      for (let i = 0; i < ht.length; i++) ht[i] = Math.tanh(ht[i]);
      top = ht;
    }
    const logits = d.fc.forward({ shape: [B, T, H], data: top });
    this._last = { B, S, T, e, dec, a, ht };
    return { shape: [B, T, V], data: logits.data };
  }

  // Scheduled sampling, pass 1: decide the decoder inputs step by step.
  _sampleInputs(e, gold, tgtLen, T) {
    const { B } = e, ratio = this._tf, V = this.tgtVocab;
    const inputs = gold.slice();
    const cur = new Int32Array(B);
    for (let b = 0; b < B; b++) cur[b] = gold[b * T];
    const scratch = this._scratch(B, e.S);
    const wasTraining = this.decoder.training;
    this.decoder.eval();
    try {
      let h = e.hN, c = e.cN;
      for (let t = 0; t + 1 < T; t++) {
        const r = this._step(cur, h, c, e, 1, scratch);
        h = r.hN; c = r.cN;
        for (let b = 0; b < B; b++) {
          const i = b * T + t + 1;
          if (t + 1 < tgtLen[b] && (ratio === 0 || this._rng.uniform() >= ratio)) {
            let best = 0;
            for (let v = 1; v < V; v++) if (r.logits[b * V + v] > r.logits[b * V + best]) best = v;
            inputs[i] = best;
          }
          cur[b] = inputs[i];
        }
      }
    } finally {
      this.decoder.train(wasTraining);
    }
    return inputs;
  }

  /**
   * dLogits: d loss / d logits of the last forward ([B, T, tgtVocab]);
   * backpropagates through the decoder (attention, BPTT) into the encoder
   * and accumulates every parameter gradient. One backward per forward.
   */
  backward(dLogits) {
    this._live();
    if (!this._last) throw new RnnError('STATE', 'Seq2Seq.backward: call forward first (one backward per forward; decoding in between also clears it)');
    const { B, S, T, e, dec, a, ht } = this._last;
    const H = this.hiddenDim, d = this._dec, en = this._enc;
    checkTensor(dLogits, 'dLogits', [B, T, this.tgtVocab]);
    this._last = null;
    let dTop = d.fc.backward({ dOutput: dLogits }).dx.data; // [B, T, H]
    let dDec = dTop, dEnc = null;
    if (this.attention !== 'none') {
      for (let i = 0; i < dTop.length; i++) dTop[i] = flushF32(dTop[i] * (1 - ht[i] * ht[i]));
      const dCat = d.concat.backward({ dOutput: { shape: [B, T, H], data: dTop } }).dx.data; // [B, T, 2H]
      dDec = new Float32Array(B * T * H);
      const { dEnc64, dKeys64 } = attendBackward(dCat, dec, a, e, B, T, H, this.attention === 'general', dDec);
      dEnc = toFloat32Flushed(dEnc64);
      if (this.attention === 'general') {
        const dk = d.attn.backward({ dOutput: { shape: [B, S, H], data: toFloat32Flushed(dKeys64) } }).dx.data;
        for (let i = 0; i < dEnc.length; i++) dEnc[i] = flushF32(dEnc[i] + dk[i]);
      }
    }
    const rd = d.rnn.backward({ dOutput: { shape: [B, T, H], data: dDec } });
    let dEmb = rd.dx;
    if (d.drop) dEmb = d.drop.backward({ dOutput: dEmb }).dx;
    d.embedding.backward({ dOutput: dEmb });
    const g = { dhN: rd.dh0 };
    if (rd.dc0) g.dcN = rd.dc0;
    if (dEnc) g.dOutput = { shape: [B, S, H], data: dEnc };
    let dx = en.rnn.backward(g).dx;
    if (en.drop) dx = en.drop.backward({ dOutput: dx }).dx;
    en.embedding.backward({ dOutput: dx });
  }

  /**
   * Training batches for fit(): sources and targets are arrays of id
   * sequences (targets without BOS / EOS). Returns [{ x, y, lengths }]: x
   * the padded sources [B, S] carrying x.decoderInput [B, T] (BOS + target,
   * 0-padded), y the targets [B, T] (target + EOS, padded with -100),
   * lengths the source lengths. options: batchSize (32), shuffle (true),
   * seed (0).
   */
  makeBatches(sources, targets, options = {}) {
    const what = 'Seq2Seq.makeBatches';
    checkKnown(options ?? {}, ['batchSize', 'shuffle', 'seed'], what);
    options = options ?? {};
    const batchSize = intOption(options, 'batchSize', what, { def: 32 });
    if (!Array.isArray(sources) || !Array.isArray(targets) || sources.length !== targets.length || sources.length === 0) {
      throw new RnnError('INVALID_ARGUMENT', `${what}: sources and targets must be non-empty arrays of the same length`);
    }
    const check = (seq, i, name, hi, minLen) => {
      if (!Array.isArray(seq) && !ArrayBuffer.isView(seq)) throw new RnnError('INVALID_ARGUMENT', `${what}: ${name}[${i}] must be an array of ids`);
      if (seq.length < minLen) throw new RnnError('INVALID_ARGUMENT', `${what}: ${name}[${i}] is empty`);
      for (let j = 0; j < seq.length; j++) {
        const v = seq[j];
        if (!Number.isInteger(v) || v < 1 || v >= hi) {
          throw new RnnError('INVALID_ARGUMENT', `${what}: ${name}[${i}][${j}] = ${v} is out of range [1, ${hi})`);
        }
      }
    };
    sources.forEach((s, i) => check(s, i, 'sources', this.srcVocab, 1));
    targets.forEach((s, i) => check(s, i, 'targets', this.tgtVocab, 0));
    let order = Array.from({ length: sources.length }, (_, i) => i);
    if (options.shuffle ?? true) {
      order = shuffle(order, createRng(intOption(options, 'seed', what, { min: 0, max: 2 ** 32 - 1, def: 0 })));
    }
    const out = [];
    for (let i = 0; i < order.length; i += batchSize) {
      const idx = order.slice(i, i + batchSize);
      const B = idx.length;
      const { ids, lengths } = padSequences(idx.map((k) => sources[k]));
      const T = 1 + Math.max(...idx.map((k) => targets[k].length));
      const din = new Int32Array(B * T), y = new Int32Array(B * T).fill(-100);
      idx.forEach((k, b) => {
        const tg = targets[k];
        din[b * T] = this.bosId;
        for (let t = 0; t < tg.length; t++) { din[b * T + t + 1] = tg[t]; y[b * T + t] = tg[t]; }
        y[b * T + tg.length] = this.eosId;
      });
      ids.decoderInput = { shape: [B, T], data: din };
      out.push({ x: ids, y: { shape: [B, T], data: y }, lengths });
    }
    return out;
  }

  // ------------------------------------------------------------- decoding

  /** Greedy decoding (decode.js): per example { tokens, logProb, eos }. */
  greedy(src, options = {}) { return greedy(this, src, options); }

  /** Beam search (beam-search.js): per example { tokens, logProb, score, eos }. */
  beamSearch(src, options = {}) { return beamSearch(this, src, options); }
}
