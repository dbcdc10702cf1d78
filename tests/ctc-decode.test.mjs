// CTC decoders (js/ctc.js) against straightforward references on random
// posteriors: greedy against argmax-collapse; beam search (no pruning)
// against exhaustive enumeration of every alignment on short cases, with a
// lexicon and with an n-gram prior; beam width 1 against greedy; the stream
// decoder against the whole-sequence search, with a stable prefix that never
// changes; bad options are clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CtcStreamDecoder, ctcBeamSearch, ctcGreedy, init, ngramPrior } from '../dist/index.js';
import { lcg, throwsCode } from './helpers/util.mjs';

// Random log-softmax frames [T, C]; sharpness scales the logits.
function randomLogProbs(T, C, seed, sharpness = 3) {
  const rand = lcg(seed);
  const data = new Float32Array(T * C);
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    const z = Array.from({ length: C }, () => rand() * 2 * sharpness); // rand() is in [-0.5, 0.5)
    for (const v of z) m = Math.max(m, v);
    const lz = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    for (let c = 0; c < C; c++) data[t * C + c] = z[c] - lz;
  }
  return { shape: [T, C], data };
}

function collapse(path, blank) {
  const out = [];
  path.forEach((k, t) => { if (k !== blank && k !== path[t - 1]) out.push(k); });
  return out;
}

// Every alignment of T frames: log P(labeling) for each labeling reached.
function exhaustive(lp, blank) {
  const [T, C] = lp.shape;
  const probs = new Map();
  const path = new Array(T);
  const walk = (t, logp) => {
    if (t === T) {
      const key = collapse(path, blank).join(',');
      probs.set(key, (probs.get(key) ?? 0) + Math.exp(logp));
      return;
    }
    for (let c = 0; c < C; c++) { path[t] = c; walk(t + 1, logp + lp.data[t * C + c]); }
  };
  walk(0, 0);
  return [...probs].map(([key, p]) => ({ labels: key ? key.split(',').map(Number) : [], logp: Math.log(p) }));
}

const best = (list) => list.reduce((a, b) => (b.score > a.score ? b : a));

test('ctcGreedy: the most likely label per frame, repeats collapsed, blanks dropped', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const T = 1 + (seed * 7) % 40, C = 2 + (seed % 9), blank = seed % C;
    const lp = randomLogProbs(T, C, seed);
    const path = [];
    let score = 0;
    for (let t = 0; t < T; t++) {
      const f = Array.from(lp.data.subarray(t * C, (t + 1) * C));
      const k = f.indexOf(Math.max(...f));
      path.push(k);
      score += f[k];
    }
    const got = ctcGreedy(lp, { blank });
    assert.deepEqual(Array.from(got.labels), collapse(path, blank), `seed ${seed}`);
    assert.ok(Math.abs(got.score - score) < 1e-9);
  }
});

test('ctcBeamSearch without pruning finds exactly what exhaustive search finds', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const T = 2 + (seed % 4), C = 2 + (seed % 2), blank = seed % C;
    const lp = randomLogProbs(T, C, 100 + seed, 1.5);
    const truth = exhaustive(lp, blank).sort((a, b) => b.logp - a.logp);
    const got = ctcBeamSearch(lp, { blank, beamWidth: 4096 });
    assert.equal(got.length, truth.length, `seed ${seed}: every labeling is a hypothesis`);
    for (let i = 0; i < truth.length; i++) {
      const g = got.find((h) => h.labels.join(',') === truth[i].labels.join(','));
      assert.ok(g, `seed ${seed}: labeling ${truth[i].labels} missing`);
      assert.ok(Math.abs(g.score - truth[i].logp) < 1e-9, `seed ${seed}: ${truth[i].labels}: ${g.score} vs ${truth[i].logp}`);
    }
    assert.deepEqual(Array.from(got[0].labels), truth[0].labels);
  }
});

test('ctcBeamSearch with a lexicon or an n-gram prior: the exhaustive best under the constraint or the prior', () => {
  const C = 3, blank = 0;
  const lexicon = [[1, 2], [2, 2, 1], [1], [2, 1, 2, 1]];
  const table = { '': { 1: 1, 2: 5 }, 1: { 2: 9 }, 2: { 1: 2, 2: 1 } };
  const prior = ngramPrior({ order: 2, table, classes: C });
  const priorOf = (labels) => labels.reduce((s, k, i) => s + prior(labels.slice(0, i), k), 0);
  for (let seed = 1; seed <= 25; seed++) {
    const lp = randomLogProbs(4 + (seed % 2), C, 300 + seed, 1.5);
    const all = exhaustive(lp, blank);

    const inLex = all.filter((h) => lexicon.some((w) => w.join(',') === h.labels.join(',')));
    const lexBest = inLex.reduce((a, b) => (b.logp > a.logp ? b : a));
    const got = ctcBeamSearch(lp, { blank, beamWidth: 4096, lexicon });
    assert.ok(got.every((h) => lexicon.some((w) => w.join(',') === h.labels.join(','))), 'only lexicon entries');
    assert.deepEqual(Array.from(got[0].labels), lexBest.labels, `seed ${seed}: lexicon`);
    assert.ok(Math.abs(got[0].score - lexBest.logp) < 1e-9);

    const w = 0.7;
    const scored = all.map((h) => ({ labels: h.labels, score: h.logp + w * priorOf(h.labels) }));
    const want = best(scored);
    const withPrior = ctcBeamSearch(lp, { blank, beamWidth: 4096, prior, priorWeight: w });
    assert.deepEqual(Array.from(withPrior[0].labels), want.labels, `seed ${seed}: prior`);
    assert.ok(Math.abs(withPrior[0].score - want.score) < 1e-9);
  }
});

// Frames whose top class has probability >= 0.9, as a trained model's are.
function peakedLogProbs(T, C, seed) {
  const rand = lcg(seed);
  const data = new Float32Array(T * C);
  for (let t = 0; t < T; t++) {
    const top = Math.floor((rand() + 0.5) * C) % C, p = 0.9 + 0.09 * (rand() + 0.5);
    const rest = Array.from({ length: C }, () => rand() + 0.5);
    const sum = rest.reduce((a, v, c) => a + (c === top ? 0 : v), 0);
    for (let c = 0; c < C; c++) data[t * C + c] = Math.log(c === top ? p : (1 - p) * rest[c] / sum);
  }
  return { shape: [T, C], data };
}

test('ctcBeamSearch with beam width 1 equals greedy decoding on peaked posteriors, and larger beams never score worse', () => {
  // In general they differ: the prefix search sums a prefix's alignments,
  // greedy follows the single best path. When every frame's top class has
  // p >= 0.9 the two choices agree at every frame.
  for (let seed = 1; seed <= 40; seed++) {
    const lp = peakedLogProbs(30, 6, 500 + seed);
    const g = ctcGreedy(lp);
    const b1 = ctcBeamSearch(lp, { beamWidth: 1 });
    assert.deepEqual(Array.from(b1[0].labels), Array.from(g.labels), `seed ${seed}`);
    const wide = randomLogProbs(30, 6, 700 + seed, 2);
    const w1 = ctcBeamSearch(wide, { beamWidth: 1 }), w8 = ctcBeamSearch(wide, { beamWidth: 8 });
    assert.ok(w8[0].score >= w1[0].score - 1e-9, `seed ${seed}: width 8 found a worse best than width 1`);
  }
});

test('CtcStreamDecoder: frame by frame it ends where the whole-sequence search ends; the stable prefix only grows', () => {
  for (let seed = 1; seed <= 10; seed++) {
    const C = 5, T = 60;
    const lp = randomLogProbs(T, C, 900 + seed, 4);
    const whole = ctcBeamSearch(lp, { beamWidth: 6 });
    const dec = new CtcStreamDecoder({ classes: C, beamWidth: 6 });
    let stable = [];
    let last;
    for (let t = 0; t < T; t++) {
      last = dec.push(lp.data.subarray(t * C, (t + 1) * C));
      const s = Array.from(last.stable);
      assert.deepEqual(s.slice(0, stable.length), stable, `seed ${seed} t ${t}: the stable prefix changed`);
      assert.deepEqual(Array.from(last.hypothesis).slice(0, s.length), s, 'the hypothesis extends the stable prefix');
      stable = s;
    }
    assert.deepEqual(Array.from(last.hypothesis), Array.from(whole[0].labels));
    assert.deepEqual(dec.finish().map((h) => h.labels.join(',')), whole.map((h) => h.labels.join(',')));
  }
});

test('the decoders are on the engine too (rnn.ctc), and bad options are clear errors', async () => {
  const rnn = await init();
  const lp = randomLogProbs(5, 3, 7);
  assert.deepEqual(rnn.ctc.greedy(lp).labels, ctcGreedy(lp).labels);
  throwsCode(() => ctcGreedy(lp, { blank: 3 }), 'INVALID_ARGUMENT', /blank/);
  throwsCode(() => ctcGreedy({ shape: [5, 1], data: new Float32Array(5) }), 'SHAPE', /\[T >= 1, C >= 2\]/);
  throwsCode(() => ctcGreedy(lp, { beam: 2 }), 'INVALID_ARGUMENT', /unknown option 'beam'/);
  throwsCode(() => ctcBeamSearch(lp, { beamWidth: 0 }), 'INVALID_ARGUMENT', /beamWidth/);
  throwsCode(() => ctcBeamSearch(lp, { lexicon: [[1, 0]] }), 'INVALID_ARGUMENT', /lexicon\[0\] holds 0/);
  throwsCode(() => ctcBeamSearch(lp, { lexicon: [] }), 'INVALID_ARGUMENT', /lexicon/);
  throwsCode(() => ctcBeamSearch(lp, { prior: 3 }), 'INVALID_ARGUMENT', /prior must be a function/);
  throwsCode(() => ctcBeamSearch(lp, { prior: () => NaN }), 'INVALID_ARGUMENT', /prior returned NaN/);
  throwsCode(() => new CtcStreamDecoder({ beamWidth: 2 }), 'INVALID_ARGUMENT', /classes/);
  throwsCode(() => new CtcStreamDecoder({ classes: 3 }).push(new Float32Array(4)), 'SHAPE', /3 scores/);
  throwsCode(() => ngramPrior({ order: 0, table: {}, classes: 3 }), 'INVALID_ARGUMENT', /order/);
});
