// ctc.js - decoding CTC outputs: per-frame log-probabilities [T, C] (or
// their softmax; only the order of the scores and their sums matter) to label
// sequences. ctcGreedy: best path (the most likely label per frame, repeats
// collapsed, blanks dropped). ctcBeamSearch: prefix beam search (Hannun et
// al. 2014): it sums over all the alignments of a prefix, with an optional
// prior (a function scoring the next label after a prefix, e.g. an n-gram
// table from ngramPrior) and an optional lexicon (the output must be one of
// its label sequences). CtcStreamDecoder: the same search one frame at a
// time, giving the stable prefix (shared by every live hypothesis, so no
// later frame can change it) and the current best hypothesis.
// Plain JS: decoding is a few operations per frame and class, far below a
// recurrent step's cost; the loss (src/ctc.c) is what needs the engine.
import { RnnError } from './errors.js';
import { checkKnown, intOption, numOption } from './options.js';

const bad = (msg) => new RnnError('INVALID_ARGUMENT', msg);

// log(e^a + e^b) without overflow; -Infinity is the log of 0.
function lse(a, b) {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

// frames: a tensor [T, C] (or [T, 1, C]) or an array of T per-frame arrays.
function framesOf(input, what) {
  if (Array.isArray(input)) {
    const C = input[0]?.length;
    if (!input.length || !Number.isInteger(C) || C < 2 || input.some((f) => f?.length !== C)) {
      throw bad(`${what}: frames must be T >= 1 arrays of the same C >= 2 scores`);
    }
    return { T: input.length, C, at: (t) => input[t] };
  }
  const shape = input?.shape, data = input?.data;
  if (!Array.isArray(shape) || !data || !(shape.length === 2 || (shape.length === 3 && shape[1] === 1))) {
    throw new RnnError('SHAPE', `${what}: log-probabilities must be a tensor [T, C] (or [T, 1, C]) or an array of frames`);
  }
  const T = shape[0], C = shape[shape.length - 1];
  if (T < 1 || C < 2 || data.length !== T * C) throw new RnnError('SHAPE', `${what}: a tensor [${shape}] holding ${data.length} values is not [T >= 1, C >= 2]`);
  return { T, C, at: (t) => data.subarray ? data.subarray(t * C, (t + 1) * C) : data.slice(t * C, (t + 1) * C) };
}

function blankOption(opts, C, what) {
  return intOption(opts, 'blank', what, { min: 0, max: C - 1, def: 0 });
}

/**
 * Best-path decoding. Returns { labels: Int32Array, score } where score is
 * the sum over frames of the chosen (largest) scores.
 */
export function ctcGreedy(logProbs, opts = {}) {
  const what = 'ctcGreedy';
  checkKnown(opts ?? {}, ['blank'], what);
  const { T, C, at } = framesOf(logProbs, what);
  const blank = blankOption(opts ?? {}, C, what);
  const labels = [];
  let prev = -1, score = 0;
  for (let t = 0; t < T; t++) {
    const f = at(t);
    let k = 0;
    for (let c = 1; c < C; c++) if (f[c] > f[k]) k = c;
    score += f[k];
    if (k !== blank && k !== prev) labels.push(k);
    prev = k;
  }
  return { labels: Int32Array.from(labels), score };
}

// A trie over the lexicon's label sequences: node = Map(label -> node), .end.
function buildTrie(lexicon, C, blank, what) {
  if (!Array.isArray(lexicon) || lexicon.length === 0) throw bad(`${what}: lexicon must be a non-empty array of label sequences`);
  const root = new Map();
  lexicon.forEach((word, w) => {
    if (!(Array.isArray(word) || ArrayBuffer.isView(word))) throw bad(`${what}: lexicon[${w}] must be an array of labels`);
    let node = root;
    for (const k of word) {
      if (!Number.isInteger(k) || k < 0 || k >= C || k === blank) throw bad(`${what}: lexicon[${w}] holds ${k}, not a label in [0, ${C}) other than the blank`);
      if (!node.has(k)) node.set(k, new Map());
      node = node.get(k);
    }
    node.end = true;
  });
  return root;
}

/**
 * The search state, frame by frame. A beam maps a prefix (its labels joined
 * by ',') to { labels, node, pb, pnb }: log-probabilities (with the prior's
 * scores of its labels) of the prefix's alignments ending in a blank / in its
 * last label; node is its place in the lexicon's trie.
 */
class PrefixSearch {
  constructor(C, opts, what) {
    checkKnown(opts, ['blank', 'beamWidth', 'prior', 'priorWeight', 'lexicon'], what);
    this.C = C;
    this.what = what;
    this.blank = blankOption(opts, C, what);
    this.width = intOption(opts, 'beamWidth', what, { min: 1, max: 4096, def: 8 });
    this.prior = opts.prior ?? null;
    if (this.prior !== null && typeof this.prior !== 'function') throw bad(`${what}: prior must be a function (labels, next) => log-score`);
    this.weight = numOption(opts, 'priorWeight', what, { min: 0, def: 1 });
    this.trie = opts.lexicon != null ? buildTrie(opts.lexicon, C, this.blank, what) : null;
    this.beams = new Map([['', { labels: [], node: this.trie, pb: 0, pnb: -Infinity }]]);
  }

  priorScore(labels, k) {
    if (!this.prior) return 0;
    const s = this.prior(labels, k);
    if (typeof s !== 'number' || Number.isNaN(s)) throw bad(`${this.what}: prior returned ${s}, not a log-score`);
    return this.weight * s;
  }

  push(frame) {
    const { C, blank } = this;
    if (frame?.length !== C) throw new RnnError('SHAPE', `${this.what}: a frame must hold ${C} scores, got ${frame?.length}`);
    const next = new Map();
    const entry = (key, labels, node) => {
      let e = next.get(key);
      if (!e) next.set(key, (e = { labels, node, pb: -Infinity, pnb: -Infinity }));
      return e;
    };
    for (const [key, b] of this.beams) {
      const total = lse(b.pb, b.pnb);
      const same = entry(key, b.labels, b.node);
      same.pb = lse(same.pb, total + frame[blank]);
      const last = b.labels.length ? b.labels[b.labels.length - 1] : -1;
      if (last >= 0) same.pnb = lse(same.pnb, b.pnb + frame[last]); // a repeat collapses
      for (let k = 0; k < C; k++) {
        if (k === blank) continue;
        const node = this.trie ? b.node.get(k) : null;
        if (this.trie && !node) continue;
        // after a repeat label only the alignments ending in a blank extend
        const from = k === last ? b.pb : total;
        if (from === -Infinity) continue;
        const p = this.priorScore(b.labels, k);
        const ext = entry(key ? `${key},${k}` : `${k}`, [...b.labels, k], node);
        ext.pnb = lse(ext.pnb, from + frame[k] + p);
      }
    }
    const ranked = [...next.entries()].sort((a, b) => lse(b[1].pb, b[1].pnb) - lse(a[1].pb, a[1].pnb));
    this.beams = new Map(ranked.slice(0, this.width));
  }

  /** Hypotheses best first: { labels, score } (score: log-probability plus prior). */
  results({ final = false } = {}) {
    const out = [];
    for (const b of this.beams.values()) {
      if (final && this.trie && !b.node.end) continue;
      out.push({ labels: Int32Array.from(b.labels), score: lse(b.pb, b.pnb) });
    }
    return out.sort((a, b) => b.score - a.score);
  }

  /** The labels every live hypothesis starts with. */
  stablePrefix() {
    let prefix = null;
    for (const b of this.beams.values()) {
      if (prefix === null) { prefix = b.labels.slice(); continue; }
      let n = 0;
      while (n < prefix.length && n < b.labels.length && prefix[n] === b.labels[n]) n++;
      prefix.length = n;
    }
    return Int32Array.from(prefix ?? []);
  }
}

/**
 * Prefix beam search. Options: blank (0), beamWidth (8), prior
 * ((labels, next) => log-score, e.g. ngramPrior(...)), priorWeight (1),
 * lexicon (label sequences the output must be one of). Returns the
 * hypotheses best first, [{ labels: Int32Array, score }] (at most beamWidth;
 * with a lexicon only complete entries, possibly none).
 */
export function ctcBeamSearch(logProbs, opts = {}) {
  const what = 'ctcBeamSearch';
  const { T, C, at } = framesOf(logProbs, what);
  const search = new PrefixSearch(C, opts ?? {}, what);
  for (let t = 0; t < T; t++) search.push(at(t));
  return search.results({ final: true });
}

/**
 * CTC decoding one frame at a time (for stream.step()): push(frame) returns
 * { stable, hypothesis }: stable is the prefix no later frame can change,
 * hypothesis the best label sequence so far. Options as ctcBeamSearch's;
 * beamWidth 1 keeps one hypothesis.
 */
export class CtcStreamDecoder {
  constructor({ classes, ...opts } = {}) {
    if (!Number.isInteger(classes) || classes < 2) throw bad(`CtcStreamDecoder: 'classes' must be the number of classes (>= 2), got ${classes}`);
    this._search = new PrefixSearch(classes, opts, 'CtcStreamDecoder');
    this.frames = 0;
  }

  push(frame) {
    this._search.push(frame);
    this.frames++;
    return { stable: this._search.stablePrefix(), hypothesis: this._search.results()[0].labels };
  }

  /** The hypotheses so far, best first (with a lexicon: complete entries only). */
  finish() { return this._search.results({ final: true }); }
}

/**
 * A character-level n-gram prior from counts: table maps a context (the
 * previous n - 1 labels joined by ',', shorter at the start) to { label:
 * count }; unseen continuations get add-alpha smoothing over `classes`
 * labels. Returns (labels, next) => log P(next | context).
 */
export function ngramPrior({ order, table, classes, alpha = 1 }) {
  const what = 'ngramPrior';
  if (!Number.isInteger(order) || order < 1) throw bad(`${what}: order must be an integer >= 1, got ${order}`);
  if (!Number.isInteger(classes) || classes < 1) throw bad(`${what}: classes must be an integer >= 1, got ${classes}`);
  if (table === null || typeof table !== 'object') throw bad(`${what}: table must be an object { context: { label: count } }`);
  if (!(alpha > 0)) throw bad(`${what}: alpha must be > 0, got ${alpha}`);
  const totals = new Map();
  for (const [ctx, counts] of Object.entries(table)) {
    let sum = 0;
    for (const [k, n] of Object.entries(counts)) {
      if (!(n >= 0) || !Number.isInteger(Number(k))) throw bad(`${what}: table['${ctx}'] must map labels to counts >= 0`);
      sum += n;
    }
    totals.set(ctx, sum);
  }
  return (labels, next) => {
    const ctx = labels.slice(Math.max(0, labels.length - (order - 1))).join(',');
    const counts = table[ctx] ?? {};
    return Math.log(((counts[next] ?? 0) + alpha) / ((totals.get(ctx) ?? 0) + alpha * classes));
  };
}
