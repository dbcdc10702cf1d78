// Data helpers (js/data.js): the generator against the C engine's, shuffles,
// splits, vocabularies, padding, batches, stacking, time-series windows, the
// CSV reader, and the datasets copied into data/ (present, unchanged, with
// their SOURCE.md, and readable with these helpers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { init, data } from '../dist/index.js';
import { throwsCode } from './helpers/util.mjs';

const rnn = await init();
const D = rnn.data;


const sorted = (a) => [...a].sort((x, y) => x - y);

test('data is exported at the top level and on the API (the same module)', () => {
  assert.equal(D, data);
  for (const name of ['createRng', 'shuffle', 'trainValSplit', 'range', 'CharVocab', 'WordVocab',
    'padSequences', 'batches', 'stack', 'take', 'nextTokenWindows', 'normalizer', 'slidingWindows',
    'readCsv', 'column']) {
    assert.equal(typeof data[name], 'function', name);
  }
  assert.deepEqual([data.PAD_ID, data.UNK_ID, data.PAD, data.UNK], [0, 1, '<pad>', '<unk>']);
});

// ---------------------------------------------------------------------------
// Generator

// Reference values from the engine's C code (src/rng.c: rnn_rng_seed,
// rnn_rng_u32, rnn_rng_uniform(g, 0, 1)), computed once natively with
//   gcc -std=c11 -O2 -Isrc ref.c src/rng.c
// where ref.c seeds with each seed below, prints the 4 state words, then 8
// rnn_rng_u32 outputs, then 4 rnn_rng_uniform(&g, 0, 1) values ("%.9g").
const C_REF = [
  { seed: 42, state: [803958421, 3184996902, 2993090819, 686809907],
    u32: [1776835114, 4165204688, 17111135, 2317295270, 2792088233, 2554630222, 2940343271, 2244566231],
    uniform: [0.830647469, 0.681839049, 0.736241162, 0.267870486] },
  { seed: 0, state: [2065550767, 3793791033, 2713282036, 1853398634],
    u32: [3737715805, 2584255861, 2876756834, 3286328325, 1553311962, 1625202774, 3260698944, 2754151956],
    uniform: [0.617265999, 0.582965314, 0.791370094, 0.211616755] },
  { seed: 4294967295, state: [2951840192, 1940994978, 323015604, 1629504261],
    u32: [331202089, 2303545133, 2732085799, 1755962312, 20464611, 435992899, 115300070, 2552219694],
    uniform: [0.215719819, 0.141808629, 0.430585921, 0.0980030298] },
  { seed: 18446744073709551615n, state: [459615264, 3839455607, 3690365641, 3919575143],
    u32: [477689756, 2493998634, 555695776, 607808419, 61340979, 301466976, 2478485284, 2565876330],
    uniform: [0.420848548, 0.917753398, 0.313358247, 0.180352092] },
];

test('createRng: the same stream as the C engine (seeding, u32, uniform)', () => {
  for (const ref of C_REF) {
    const g = data.createRng(ref.seed);
    assert.equal(g.seed, ref.seed);
    assert.deepEqual([...g.state()], ref.state, `state for seed ${ref.seed}`);
    assert.deepEqual(Array.from({ length: 8 }, () => g.nextU32()), ref.u32, `u32 for seed ${ref.seed}`);
    for (const want of ref.uniform) {
      const u = g.uniform();
      // 24-bit values are exact floats; %.9g round-trips a float32.
      assert.equal(Math.fround(u), u);
      assert.equal(u, Math.fround(want), `uniform for seed ${ref.seed}`);
    }
  }
  // A number seed and the same bigint seed are one stream.
  assert.deepEqual([...data.createRng(42n).state()], C_REF[0].state);
});

test('createRng: normal() is the Embedding init (Box-Muller pairs from the same seed)', () => {
  const emb = new rnn.Embedding({ numEmbeddings: 7, embeddingDim: 5, seed: 1234 }); // 35 values: odd
  const w = emb.stateDict().weight.data;
  const g = data.createRng(1234);
  const z = Float32Array.from({ length: w.length }, () => g.normal());
  for (let i = 0; i < w.length; i++) {
    assert.ok(Math.abs(z[i] - w[i]) <= 1e-6 * Math.max(1, Math.abs(w[i])), `element ${i}: ${z[i]} vs ${w[i]}`);
  }
  emb.dispose();
  // Statistics of many draws.
  const h = data.createRng(5);
  let s = 0, ss = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) { const v = h.normal(); s += v; ss += v * v; }
  assert.ok(Math.abs(s / n) < 0.03 && Math.abs(ss / n - 1) < 0.04, `mean ${s / n}, var ${ss / n}`);
});

test('createRng: int(n) is in range and unbiased enough; state() / setState() replay', () => {
  const g = data.createRng(9);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60000; i++) counts[g.int(6)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `counts ${counts}`);
  assert.equal(g.int(1), 0);
  const big = g.int(2 ** 32);
  assert.ok(Number.isInteger(big) && big >= 0 && big < 2 ** 32);
  for (let i = 0; i < 1000; i++) {
    const u = g.uniform();
    assert.ok(u >= 0 && u < 1);
  }
  const saved = g.state();
  const probe = g.state();
  probe[0] ^= 1; // state() is a copy: changing it does not change the generator
  assert.deepEqual([...g.state()], [...saved]);
  const a = [g.nextU32(), g.uniform(), g.int(1000), g.normal(), g.normal()];
  g.setState(saved);
  assert.deepEqual([g.nextU32(), g.uniform(), g.int(1000), g.normal(), g.normal()], a);
  const other = data.createRng(10);
  other.setState(saved);
  assert.deepEqual([...other.state()], [...saved]);
  throwsCode(() => g.int(0), 'INVALID_ARGUMENT', /n must be/);
  throwsCode(() => g.int(1.5), 'INVALID_ARGUMENT');
  throwsCode(() => g.int(2 ** 32 + 1), 'INVALID_ARGUMENT');
  throwsCode(() => g.setState([1, 2, 3]), 'INVALID_ARGUMENT', /4 unsigned/);
  throwsCode(() => g.setState([0, 0, 0, 0]), 'INVALID_ARGUMENT', /all-zero/);
  throwsCode(() => g.setState([1, 2, 3, -1]), 'INVALID_ARGUMENT');
  throwsCode(() => data.createRng(-1), 'INVALID_ARGUMENT', /seed/);
  throwsCode(() => data.createRng(1.5), 'INVALID_ARGUMENT', /seed/);
  throwsCode(() => data.createRng('42'), 'INVALID_ARGUMENT', /seed/);
  throwsCode(() => data.createRng(2n ** 64n), 'INVALID_ARGUMENT', /seed/);
  // Omitted seed: random, and readable.
  const r = data.createRng();
  assert.ok(Number.isInteger(r.seed));
  assert.deepEqual([...data.createRng(r.seed).state()], [...r.state()]);
});

// ---------------------------------------------------------------------------
// Shuffling and splits

test('shuffle: a deterministic permutation copy; seeds repeat, an rng advances', () => {
  const a = data.range(50);
  const s1 = data.shuffle(a, 3), s2 = data.shuffle(a, 3), s3 = data.shuffle(a, 4);
  assert.deepEqual(a, data.range(50), 'input unchanged');
  assert.deepEqual(s1, s2);
  assert.notDeepEqual(s1, s3);
  assert.notDeepEqual(s1, a);
  assert.deepEqual(sorted(s1), a);
  // Fisher-Yates from the end with j = rng.int(i + 1): written out by hand.
  const g = data.createRng(3), want = [...a];
  for (let i = want.length - 1; i > 0; i--) {
    const j = g.int(i + 1);
    [want[i], want[j]] = [want[j], want[i]];
  }
  assert.deepEqual(s1, want);
  const rng = data.createRng(3);
  const e1 = data.shuffle(a, rng), e2 = data.shuffle(a, rng);
  assert.deepEqual(e1, s1);
  assert.notDeepEqual(e2, e1);
  // Typed arrays come back as the same type; any element type works.
  const t = data.shuffle(Float32Array.from([1, 2, 3, 4]), 1);
  assert.ok(t instanceof Float32Array);
  assert.deepEqual(sorted(t), [1, 2, 3, 4]);
  assert.deepEqual(data.shuffle(['a', 'b', 'c'], 7).sort(), ['a', 'b', 'c']);
  assert.deepEqual(data.shuffle([], 1), []);
  throwsCode(() => data.shuffle('abc', 1), 'INVALID_ARGUMENT', /array/);
  throwsCode(() => data.shuffle([1, 2], -3), 'INVALID_ARGUMENT', /seed/);
});

test('range', () => {
  assert.deepEqual(data.range(0), []);
  assert.deepEqual(data.range(4), [0, 1, 2, 3]);
  throwsCode(() => data.range(-1), 'INVALID_ARGUMENT');
  throwsCode(() => data.range(2.5), 'INVALID_ARGUMENT');
});

test('trainValSplit: seeded, covers every item once, both parts non-empty', () => {
  const items = data.range(100).map((i) => `item${i}`);
  const a = data.trainValSplit(items, { seed: 11 });
  const b = data.trainValSplit(items, { seed: 11 });
  assert.deepEqual(a, b);
  assert.equal(a.val.length, 10);
  assert.equal(a.train.length, 90);
  assert.deepEqual([...a.train, ...a.val].sort(), [...items].sort());
  assert.deepEqual([...a.train, ...a.val], data.shuffle(items, 11), 'shuffle then split, val at the end');
  assert.notDeepEqual(data.trainValSplit(items, { seed: 12 }).val, a.val);
  assert.equal(data.trainValSplit(items, { seed: 1, valFraction: 0.25 }).val.length, 25);
  // Small inputs: neither part is empty.
  for (const n of [2, 3, 5]) {
    for (const valFraction of [0.01, 0.5, 0.99]) {
      const s = data.trainValSplit(data.range(n), { seed: 1, valFraction });
      assert.ok(s.train.length >= 1 && s.val.length >= 1, `n ${n}, valFraction ${valFraction}`);
      assert.equal(s.train.length + s.val.length, n);
    }
  }
  assert.deepEqual(data.trainValSplit([7], { seed: 1 }), { train: [7], val: [] });
  assert.deepEqual(data.trainValSplit([], { seed: 1 }), { train: [], val: [] });
  // Without shuffling: the order is kept and val is the end (time series).
  assert.deepEqual(data.trainValSplit(data.range(10), { shuffle: false, valFraction: 0.3 }),
    { train: [0, 1, 2, 3, 4, 5, 6], val: [7, 8, 9] });
  // An rng instead of a seed.
  const rng = data.createRng(11);
  assert.deepEqual(data.trainValSplit(items, { rng }), a);
  throwsCode(() => data.trainValSplit(items, { seed: 1, rng }), 'INVALID_ARGUMENT', /not both/);
  throwsCode(() => data.trainValSplit(items, { valFraction: 0 }), 'INVALID_ARGUMENT', /valFraction/);
  throwsCode(() => data.trainValSplit(items, { valFraction: 1 }), 'INVALID_ARGUMENT', /valFraction/);
  throwsCode(() => data.trainValSplit(items, { valfraction: 0.2 }), 'INVALID_ARGUMENT', /unknown option 'valfraction'/);
});

// ---------------------------------------------------------------------------
// Vocabularies

test('CharVocab: ids by code point, encode / decode, unknowns, padding, JSON', () => {
  const v = data.CharVocab.fromText('hello world');
  assert.deepEqual(v.tokens, ['<pad>', '<unk>', ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
  assert.deepEqual(v.chars, [' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
  assert.equal(v.size, 10);
  const ids = v.encode('hello');
  assert.ok(ids instanceof Int32Array);
  assert.deepEqual([...ids], [5, 4, 6, 6, 7]);
  assert.equal(v.decode(ids), 'hello');
  assert.equal(v.decode(v.encode('hello world')), 'hello world');
  assert.deepEqual([...v.encode('hex!')], [5, 4, 1, 1]);
  assert.equal(v.decode([5, 4, 1, 0, 0]), 'he\uFFFD', 'unknown as U+FFFD, padding skipped');
  assert.equal(v.decode(new Int32Array([0, 7, 0])), 'o');
  assert.equal(v.id('w'), 9);
  assert.equal(v.id('z'), 1);
  // Same characters in another order: same ids.
  assert.deepEqual(data.CharVocab.fromText('dlrow olleh').tokens, v.tokens);
  // Code points, not UTF-16 units: an emoji is one id; sorted by code point.
  const u = data.CharVocab.fromText('a😀é');
  assert.deepEqual(u.chars, ['a', 'é', '😀']);
  assert.deepEqual([...u.encode('😀a')], [4, 2]);
  assert.equal(u.decode(u.encode('é😀a')), 'é😀a');
  // minCount: rare characters become unknown.
  const m = data.CharVocab.fromText('aaabbc', { minCount: 2 });
  assert.deepEqual(m.chars, ['a', 'b']);
  assert.deepEqual([...m.encode('abc')], [2, 3, 1]);
  // JSON round trip (through a string).
  const back = data.CharVocab.fromJSON(JSON.parse(JSON.stringify(v)));
  assert.deepEqual(back.tokens, v.tokens);
  assert.deepEqual([...back.encode('world')], [...v.encode('world')]);
  assert.deepEqual(v.toJSON(), { type: 'CharVocab', chars: [' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w'] });
  assert.equal(data.CharVocab.fromText('').size, 2);
  throwsCode(() => v.decode([10]), 'INVALID_ARGUMENT', /ids\[0\] = 10/);
  throwsCode(() => v.decode([2, -1]), 'INVALID_ARGUMENT', /ids\[1\]/);
  throwsCode(() => v.encode(5), 'INVALID_ARGUMENT');
  throwsCode(() => data.CharVocab.fromText('ab', { mincount: 2 }), 'INVALID_ARGUMENT', /unknown option/);
  throwsCode(() => data.CharVocab.fromText('ab', { minCount: 0 }), 'INVALID_ARGUMENT', /minCount/);
  throwsCode(() => data.CharVocab.fromJSON({ type: 'WordVocab', words: [] }), 'INVALID_ARGUMENT');
  throwsCode(() => data.CharVocab.fromJSON({ type: 'CharVocab', chars: ['a', 'a'] }), 'INVALID_ARGUMENT', /duplicate/);
  throwsCode(() => data.CharVocab.fromJSON({ type: 'CharVocab', chars: ['ab'] }), 'INVALID_ARGUMENT', /single character/);
  // the compact form (model files' metadata): chars as one string of code points
  assert.deepEqual(data.CharVocab.fromJSON({ type: 'CharVocab', chars: ' dehlorw' }).tokens, v.tokens);
  assert.deepEqual(data.CharVocab.fromJSON({ type: 'CharVocab', chars: 'é😀a' }).chars, ['é', '😀', 'a']);
  assert.equal(data.CharVocab.fromJSON({ type: 'CharVocab', chars: '' }).size, 2);
  throwsCode(() => data.CharVocab.fromJSON({ type: 'CharVocab', chars: 'aba' }), 'INVALID_ARGUMENT', /duplicate/);
});

test('WordVocab.tokenize: lowercase, words and punctuation', () => {
  const tok = data.WordVocab.tokenize;
  assert.deepEqual(tok("Don't stop, 2 go!"), ["don't", 'stop', ',', '2', 'go', '!']);
  assert.deepEqual(tok('  Hello,   WORLD...  '), ['hello', ',', 'world', '.', '.', '.']);
  assert.deepEqual(tok('10/10 would buy again :-)'), ['10', '/', '10', 'would', 'buy', 'again', ':', '-', ')']);
  assert.deepEqual(tok('e-mail\tand\nnew-line'), ['e', '-', 'mail', 'and', 'new', '-', 'line']);
  assert.deepEqual(tok('Café'), ['caf', 'é'], 'non-ASCII letters are tokens of their own');
  assert.deepEqual(tok(''), []);
  assert.deepEqual(tok('   '), []);
  assert.deepEqual(tok('Hello World', { lowercase: false }), ['Hello', 'World']);
});

test('WordVocab: frequency order, maxSize, minCount, encode / decode, JSON', () => {
  const texts = ['The cat sat.', 'The dog sat!', 'A cat, the end.'];
  const v = data.WordVocab.fromTexts(texts);
  // the 3, '.' 2, cat 2, sat 2, then count 1 alphabetically: '!' ',' a dog end
  assert.deepEqual(v.tokens, ['<pad>', '<unk>', 'the', '.', 'cat', 'sat', '!', ',', 'a', 'dog', 'end']);
  assert.equal(v.size, 11);
  const ids = v.encode('The cat ate the dog.');
  assert.ok(ids instanceof Int32Array);
  assert.deepEqual([...ids], [2, 4, 1, 2, 9, 3]);
  assert.equal(v.decode(ids), 'the cat <unk> the dog .');
  assert.equal(v.decode([0, 2, 4, 0, 0]), 'the cat', 'padding skipped');
  assert.equal(v.id('dog'), 9);
  assert.equal(v.id('bird'), 1);
  const small = data.WordVocab.fromTexts(texts, { maxSize: 5 });
  assert.deepEqual(small.tokens, ['<pad>', '<unk>', 'the', '.', 'cat']);
  assert.deepEqual([...small.encode('the dog')], [2, 1]);
  assert.deepEqual(data.WordVocab.fromTexts(texts, { minCount: 2 }).words, ['the', '.', 'cat', 'sat']);
  assert.deepEqual(data.WordVocab.fromTexts(texts, { maxSize: 2 }).tokens, ['<pad>', '<unk>']);
  const cased = data.WordVocab.fromTexts(['Hi hi HI'], { lowercase: false });
  assert.deepEqual(cased.words, ['HI', 'Hi', 'hi']);
  assert.deepEqual([...cased.encode('hi Hi')], [4, 3]);
  const back = data.WordVocab.fromJSON(JSON.parse(JSON.stringify(v)));
  assert.deepEqual(back.tokens, v.tokens);
  assert.equal(back.lowercase, true);
  assert.deepEqual([...back.encode('A dog.')], [8, 9, 3]);
  const cb = data.WordVocab.fromJSON(JSON.parse(JSON.stringify(cased)));
  assert.equal(cb.lowercase, false);
  assert.deepEqual([...cb.encode('hi Hi')], [4, 3]);
  // A single string is one text.
  assert.deepEqual(data.WordVocab.fromTexts('b a b').words, ['b', 'a']);
  throwsCode(() => data.WordVocab.fromTexts(texts, { maxSize: 1 }), 'INVALID_ARGUMENT', /maxSize/);
  throwsCode(() => data.WordVocab.fromTexts(texts, { max: 3 }), 'INVALID_ARGUMENT', /unknown option 'max'/);
  throwsCode(() => data.WordVocab.fromTexts(['ok', 3]), 'INVALID_ARGUMENT', /texts\[1\]/);
  throwsCode(() => v.decode([11]), 'INVALID_ARGUMENT', /ids\[0\] = 11/);
  throwsCode(() => data.WordVocab.fromJSON({ type: 'WordVocab', words: ['<unk>'] }), 'INVALID_ARGUMENT', /reserved/);
  // the compact form (model files' metadata): the words joined by single spaces
  const compact = data.WordVocab.fromJSON({ type: 'WordVocab', lowercase: false, words: cased.words.join(' ') });
  assert.deepEqual([compact.tokens, compact.lowercase], [cased.tokens, false]);
  assert.deepEqual(data.WordVocab.fromJSON({ type: 'WordVocab', words: v.words.join(' ') }).tokens, v.tokens);
  assert.equal(data.WordVocab.fromJSON({ type: 'WordVocab', words: '' }).size, 2);
  throwsCode(() => data.WordVocab.fromJSON({ type: 'WordVocab', words: 'a  b' }), 'INVALID_ARGUMENT', /entry 1 \(""\) is not a non-empty string/);
  throwsCode(() => data.WordVocab.fromJSON({ type: 'WordVocab', words: 'a b a' }), 'INVALID_ARGUMENT', /duplicate/);
});

// ---------------------------------------------------------------------------
// Batching

test('padSequences: shapes, lengths, padding, truncation', () => {
  const seqs = [[5, 6, 7], Int32Array.from([8]), [9, 10]];
  const { ids, lengths } = data.padSequences(seqs);
  assert.deepEqual(ids.shape, [3, 3]);
  assert.ok(ids.data instanceof Int32Array);
  assert.deepEqual([...ids.data], [5, 6, 7, 8, 0, 0, 9, 10, 0]);
  assert.ok(lengths instanceof Int32Array);
  assert.deepEqual([...lengths], [3, 1, 2]);
  const p = data.padSequences(seqs, { padValue: -1 });
  assert.deepEqual([...p.ids.data], [5, 6, 7, 8, -1, -1, 9, 10, -1]);
  const post = data.padSequences(seqs, { maxLength: 2 });
  assert.deepEqual(post.ids.shape, [3, 2]);
  assert.deepEqual([...post.ids.data], [5, 6, 8, 0, 9, 10]);
  assert.deepEqual([...post.lengths], [2, 1, 2]);
  const pre = data.padSequences(seqs, { maxLength: 2, truncate: 'pre' });
  assert.deepEqual([...pre.ids.data], [6, 7, 8, 0, 9, 10]);
  // maxLength above the longest does not widen T.
  assert.deepEqual(data.padSequences(seqs, { maxLength: 10 }).ids.shape, [3, 3]);
  throwsCode(() => data.padSequences([[1], [], [2]]), 'INVALID_ARGUMENT', /seqs\[1\] is empty/);
  throwsCode(() => data.padSequences([]), 'INVALID_ARGUMENT', /non-empty/);
  throwsCode(() => data.padSequences([[1, 2.5]]), 'INVALID_ARGUMENT', /seqs\[0\]\[1\] = 2.5/);
  throwsCode(() => data.padSequences([[1], 'ab']), 'INVALID_ARGUMENT', /seqs\[1\]/);
  throwsCode(() => data.padSequences(seqs, { truncate: 'middle' }), 'INVALID_ARGUMENT', /truncate/);
  throwsCode(() => data.padSequences(seqs, { maxLength: 0 }), 'INVALID_ARGUMENT', /maxLength/);
  throwsCode(() => data.padSequences(seqs, { maxlen: 2 }), 'INVALID_ARGUMENT', /unknown option 'maxlen'/);
});

test('padSequences output feeds Embedding and a batch-first LSTM with lengths', () => {
  const vocab = data.CharVocab.fromText('abcdef');
  const { ids, lengths } = data.padSequences(['abc', 'f', 'dead'].map((s) => vocab.encode(s)));
  const emb = new rnn.Embedding({ numEmbeddings: vocab.size, embeddingDim: 4, paddingIdx: 0, seed: 1 });
  const lstm = new rnn.LSTM({ inputSize: 4, hiddenSize: 3, batchFirst: true, seed: 2 });
  const x = emb.forward(ids);
  assert.deepEqual(x.shape, [3, 4, 4]);
  const { output, hN } = lstm.forward(x, { lengths });
  assert.deepEqual(output.shape, [3, 4, 3]);
  assert.deepEqual(hN.shape, [1, 3, 3]);
  // Past its length a sequence's output is 0.
  assert.deepEqual([...output.data.subarray(1 * 12 + 3, 1 * 12 + 12)], new Array(9).fill(0));
  emb.dispose();
  lstm.dispose();
});

test('batches: every index once per epoch, deterministic for a seed, new order per epoch with an rng', () => {
  const n = 103;
  const a = data.batches(n, { batchSize: 10, seed: 5 });
  assert.equal(a.length, 11);
  assert.deepEqual(a.map((b) => b.length), [...new Array(10).fill(10), 3]);
  assert.deepEqual(sorted(a.flat()), data.range(n));
  assert.deepEqual(data.batches(n, { batchSize: 10, seed: 5 }), a);
  assert.notDeepEqual(data.batches(n, { batchSize: 10, seed: 6 }), a);
  assert.deepEqual(a.flat(), data.shuffle(data.range(n), 5), 'the order is shuffle(range(n), seed)');
  const rng = data.createRng(5);
  const e1 = data.batches(n, { batchSize: 10, rng }), e2 = data.batches(n, { batchSize: 10, rng });
  assert.deepEqual(e1, a, 'the first epoch from createRng(seed) equals seed');
  assert.notDeepEqual(e2, e1);
  assert.deepEqual(sorted(e2.flat()), data.range(n));
  const dropped = data.batches(n, { batchSize: 10, seed: 5, dropLast: true });
  assert.equal(dropped.length, 10);
  assert.deepEqual(dropped, a.slice(0, 10));
  assert.equal(data.batches(100, { batchSize: 10, seed: 1, dropLast: true }).length, 10);
  assert.deepEqual(data.batches(5, { batchSize: 2, shuffle: false }), [[0, 1], [2, 3], [4]]);
  assert.deepEqual(data.batches(0, { batchSize: 4, seed: 1 }), []);
  assert.deepEqual(data.batches(3, { batchSize: 8, seed: 1, dropLast: true }), []);
  // No seed: random order, still a cover.
  assert.deepEqual(sorted(data.batches(20, { batchSize: 3 }).flat()), data.range(20));
  throwsCode(() => data.batches(10, {}), 'INVALID_ARGUMENT', /batchSize' is required/);
  throwsCode(() => data.batches(10, { batchSize: 0 }), 'INVALID_ARGUMENT', /batchSize/);
  throwsCode(() => data.batches(-1, { batchSize: 2 }), 'INVALID_ARGUMENT', /n must be/);
  throwsCode(() => data.batches(10, { batchSize: 2, seed: 1, rng }), 'INVALID_ARGUMENT', /not both/);
  throwsCode(() => data.batches(10, { batchSize: 2, rng: {} }), 'INVALID_ARGUMENT', /rng/);
  throwsCode(() => data.batches(10, { batch_size: 2 }), 'INVALID_ARGUMENT', /unknown option 'batch_size'/);
});

test('stack and take', () => {
  const a = rnn.tensor([2, 2], [1, 2, 3, 4]), b = rnn.tensor([2, 2], [5, 6, 7, 8]);
  const s = data.stack([a, b]);
  assert.deepEqual(s.shape, [2, 2, 2]);
  assert.ok(s.data instanceof Float32Array);
  assert.deepEqual([...s.data], [1, 2, 3, 4, 5, 6, 7, 8]);
  s.data[0] = 99;
  assert.equal(a.data[0], 1, 'copies');
  assert.deepEqual(data.stack([rnn.tensor([3], [1, 2, 3])]).shape, [1, 3]);
  throwsCode(() => data.stack([a, rnn.tensor([4])]), 'SHAPE', /tensors\[1\]/);
  throwsCode(() => data.stack([a, { shape: [2, 2], data: [1, 2, 3, 4] }]), 'DTYPE', /tensors\[1\]/);
  throwsCode(() => data.stack([]), 'INVALID_ARGUMENT');
  const t = data.take(s, [1, 0, 1]);
  assert.deepEqual(t.shape, [3, 2, 2]);
  assert.deepEqual([...t.data], [5, 6, 7, 8, 99, 2, 3, 4, 5, 6, 7, 8]);
  const ids = data.padSequences([[1, 2], [3], [4, 5]]).ids;
  const ti = data.take(ids, [2]);
  assert.ok(ti.data instanceof Int32Array);
  assert.deepEqual(ti, { shape: [1, 2], data: Int32Array.from([4, 5]) });
  throwsCode(() => data.take(s, [2]), 'INVALID_ARGUMENT', /indices\[0\] = 2/);
});

test('nextTokenWindows: inputs and next-token targets', () => {
  const ids = Int32Array.from([10, 11, 12, 13, 14, 15, 16]);
  const { x, y } = data.nextTokenWindows(ids, { length: 3 });
  assert.deepEqual(x.shape, [2, 3]);
  assert.deepEqual([...x.data], [10, 11, 12, 13, 14, 15]);
  assert.deepEqual([...y.data], [11, 12, 13, 14, 15, 16]);
  const o = data.nextTokenWindows(ids, { length: 3, stride: 1 });
  assert.deepEqual(o.x.shape, [4, 3]);
  assert.deepEqual([...o.x.data.subarray(9)], [13, 14, 15]);
  assert.deepEqual([...o.y.data.subarray(9)], [14, 15, 16]);
  throwsCode(() => data.nextTokenWindows([1, 2, 3], { length: 3 }), 'SHAPE', /too few/);
});

// ---------------------------------------------------------------------------
// Time series

test('normalizer: z-score with the population std', () => {
  const n = data.normalizer([1, 2, 3, 4]);
  assert.equal(n.mean, 2.5);
  assert.equal(n.std, Math.sqrt(1.25));
  const z = n.apply([1, 2.5, 4]);
  assert.ok(z instanceof Float32Array);
  assert.deepEqual([...z], [-1.5 / Math.sqrt(1.25), 0, 1.5 / Math.sqrt(1.25)].map(Math.fround));
  const back = n.invert(z);
  assert.ok(back instanceof Float32Array);
  for (const [i, want] of [1, 2.5, 4].entries()) assert.ok(Math.abs(back[i] - want) < 1e-6);
  const zs = n.apply(Float32Array.from([1, 2, 3, 4]));
  let s = 0, ss = 0;
  for (const v of zs) { s += v; ss += v * v; }
  assert.ok(Math.abs(s) < 1e-6 && Math.abs(ss / 4 - 1) < 1e-6);
  const c = data.normalizer([5, 5, 5]);
  assert.equal(c.std, 1, 'constant series: std 1');
  assert.deepEqual([...c.apply([5, 6])], [0, 1]);
  assert.equal(data.normalizer(rnn.tensor([2], [0, 2])).mean, 1, 'a tensor works too');
  throwsCode(() => data.normalizer([]), 'INVALID_ARGUMENT', /empty/);
  throwsCode(() => data.normalizer([1, NaN]), 'INVALID_ARGUMENT', /values\[1\]/);
  throwsCode(() => n.apply(['1']), 'INVALID_ARGUMENT', /v\[0\]/);
});

test('slidingWindows: univariate values at the edges, horizon, stride', () => {
  const series = data.range(10).map((i) => i * 10); // 0, 10, ..., 90
  const { x, y } = data.slidingWindows(series, { window: 3 });
  assert.deepEqual(x.shape, [7, 3, 1]);
  assert.deepEqual(y.shape, [7, 1]);
  assert.ok(x.data instanceof Float32Array && y.data instanceof Float32Array);
  assert.deepEqual([...x.data.subarray(0, 3)], [0, 10, 20]);
  assert.equal(y.data[0], 30);
  assert.deepEqual([...x.data.subarray(18, 21)], [60, 70, 80]);
  assert.equal(y.data[6], 90, 'the last window predicts the last value');
  const h = data.slidingWindows(series, { window: 4, horizon: 3, stride: 2 });
  // Starts 0, 2: (10 - 4 - 3) / 2 + 1 = 2 windows.
  assert.deepEqual(h.x.shape, [2, 4, 1]);
  assert.deepEqual(h.y.shape, [2, 3]);
  assert.deepEqual([...h.x.data], [0, 10, 20, 30, 20, 30, 40, 50]);
  assert.deepEqual([...h.y.data], [40, 50, 60, 60, 70, 80]);
  const exact = data.slidingWindows([1, 2, 3], { window: 2 });
  assert.deepEqual(exact.x.shape, [1, 2, 1]);
  assert.deepEqual([...exact.y.data], [3]);
  assert.deepEqual(data.slidingWindows(Float32Array.from(series), { window: 3 }), { x, y });
  assert.deepEqual(data.slidingWindows(rnn.tensor([10], series), { window: 3 }), { x, y });
  throwsCode(() => data.slidingWindows([1, 2, 3], { window: 3 }), 'SHAPE', /too short/);
  throwsCode(() => data.slidingWindows([1, 2, 3], {}), 'INVALID_ARGUMENT', /window' is required/);
  throwsCode(() => data.slidingWindows([1, 2, 3], { window: 1, step: 1 }), 'INVALID_ARGUMENT', /unknown option 'step'/);
  throwsCode(() => data.slidingWindows([1, 'x', 3], { window: 1 }), 'INVALID_ARGUMENT', /series\[1\]/);
});

test('slidingWindows: multivariate [T, C] series', () => {
  // T = 5, C = 2: step t is [t, 100 + t].
  const s = rnn.tensor([5, 2], [0, 100, 1, 101, 2, 102, 3, 103, 4, 104]);
  const { x, y } = data.slidingWindows(s, { window: 2, horizon: 2 });
  assert.deepEqual(x.shape, [2, 2, 2]);
  assert.deepEqual(y.shape, [2, 2, 2]);
  assert.deepEqual([...x.data], [0, 100, 1, 101, 1, 101, 2, 102]);
  assert.deepEqual([...y.data], [2, 102, 3, 103, 3, 103, 4, 104]);
  throwsCode(() => data.slidingWindows({ shape: [2, 2, 2], data: new Float32Array(8) }, { window: 1 }), 'SHAPE');
  throwsCode(() => data.slidingWindows({ shape: [5, 2], data: new Float32Array(8) }, { window: 1 }), 'SHAPE', /needs 10/);
});

// ---------------------------------------------------------------------------
// CSV

test('readCsv: header, quotes, doubled quotes, commas and newlines in quotes, CRLF', () => {
  const text = '\uFEFFname,quote,n\r\n' +
    'a,"hello, world",1\r\n' +
    'b,"she said ""hi""",2\r\n' +
    '"c","two\nlines",3\r\n' +
    '\r\n' +
    'd,,4\n' +
    'e,plain "inner" quotes,5';
  const csv = data.readCsv(text);
  assert.deepEqual(csv.columns, ['name', 'quote', 'n']);
  assert.deepEqual(csv.rows, [
    ['a', 'hello, world', '1'],
    ['b', 'she said "hi"', '2'],
    ['c', 'two\nlines', '3'],
    ['d', '', '4'],
    ['e', 'plain "inner" quotes', '5'],
  ]);
  assert.deepEqual(data.column(csv, 'n'), [1, 2, 3, 4, 5]);
  assert.deepEqual(data.column(csv, 'name', String), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(data.column(csv, 0, (s, i) => `${i}:${s}`), ['0:a', '1:b', '2:c', '3:d', '4:e']);
  const noHeader = data.readCsv('1,2\n3,4\n', { header: false });
  assert.deepEqual(noHeader, { columns: ['0', '1'], rows: [['1', '2'], ['3', '4']] });
  assert.deepEqual(data.readCsv('x\n'), { columns: ['x'], rows: [] });
  assert.deepEqual(data.readCsv('a,b\n"",""\n').rows, [['', '']]);
  assert.deepEqual(data.readCsv('a;b\n1;"2;3"\n', { delimiter: ';' }).rows, [['1', '2;3']]);
  assert.deepEqual(data.readCsv('a\tb\n"x\t"y\n', { delimiter: '\t', quote: null }).rows, [['"x', '"y']]);
  // Strict numbers by default: empty and non-numeric cells throw naming the row.
  throwsCode(() => data.column(csv, 'quote'), 'INVALID_ARGUMENT', /row 0 of column 'quote'/);
  throwsCode(() => data.column(data.readCsv('v\n1\n\n2\n,\n'.replace(',', ' ')), 'v'), 'INVALID_ARGUMENT', /row 2/);
  assert.deepEqual(data.column(data.readCsv('v\n1.5\n-2e3\nNaN\n'), 'v'), [1.5, -2000, NaN]);
  throwsCode(() => data.column(csv, 'missing'), 'INVALID_ARGUMENT', /no column "missing" \(columns: name, quote, n\)/);
  throwsCode(() => data.readCsv('a,b\n1,2,3\n'), 'FORMAT', /line 2 has 3 fields, expected 2/);
  throwsCode(() => data.readCsv('a,b\n1,"2\n'), 'FORMAT', /unterminated quoted field starting on line 2/);
  throwsCode(() => data.readCsv('a,b\n"1"x,2\n'), 'FORMAT', /line 2/);
  throwsCode(() => data.readCsv(''), 'FORMAT', /no header/);
  throwsCode(() => data.readCsv('a', { delimiter: ',,' }), 'INVALID_ARGUMENT', /delimiter/);
  throwsCode(() => data.readCsv('a', { headers: true }), 'INVALID_ARGUMENT', /unknown option 'headers'/);
});

// ---------------------------------------------------------------------------
// The datasets in data/

const DATA = new URL('../data/', import.meta.url);
const readData = (p, enc) => readFileSync(new URL(p, DATA), enc);
const sha256 = (p) => createHash('sha256').update(readData(p)).digest('hex');

test('datasets: present, unchanged, with SOURCE.md, licence and README', () => {
  const files = {
    'sentiment/uci/sentences.tsv': '9fcd6123f8bc449f12d33f5050fb4789688724a586222dac602c33f336f8a236',
    'text/tinyshakespeare/tinyshakespeare.txt': '86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed',
    'timeseries/nab/machine_temperature_system_failure.csv': 'a384f9f094aeb822947f22cac24799a4b127991264a0a621516ac8f17177277a',
    'timeseries/nab/labels.json': 'a41f750eb0e731544a00bcdbb262af761e196cfd420be3a835ba7a9b5528d236',
  };
  for (const [p, hash] of Object.entries(files)) {
    assert.equal(sha256(p), hash, `${p} is unchanged`);
    const dir = p.slice(0, p.lastIndexOf('/') + 1);
    assert.ok(existsSync(new URL(`${dir}SOURCE.md`, DATA)), `${dir}SOURCE.md`);
  }
  assert.match(readData('sentiment/uci/SOURCE.md', 'utf8'), /CC BY 4\.0/);
  assert.match(readData('text/tinyshakespeare/SOURCE.md', 'utf8'), /public domain/);
  assert.match(readData('timeseries/nab/LICENSE.txt', 'utf8'), /Copyright 2014-2024 Numenta Inc\./);
  const readme = readData('README.md', 'utf8');
  for (const p of Object.keys(files)) assert.ok(readme.includes(p), `data/README.md lists ${p}`);
});

test('datasets: the sentiment TSV through readCsv, vocab and padding', () => {
  const tsv = data.readCsv(readData('sentiment/uci/sentences.tsv', 'utf8'), { delimiter: '\t', quote: null });
  assert.deepEqual(tsv.columns, ['label', 'source', 'text']);
  assert.equal(tsv.rows.length, 3000);
  const labels = data.column(tsv, 'label');
  assert.equal(labels.filter((l) => l === 1).length, 1500);
  assert.equal(labels.filter((l) => l === 0).length, 1500);
  assert.ok(tsv.rows.some((r) => r[2].includes('"')), 'quotes stay part of the text');
  const texts = data.column(tsv, 'text', String);
  const { train, val } = data.trainValSplit(data.range(texts.length), { seed: 1 });
  assert.equal(val.length, 300);
  const vocab = data.WordVocab.fromTexts(train.map((i) => texts[i]), { minCount: 2 });
  assert.ok(vocab.size > 1000 && vocab.size < 3000, `vocab size ${vocab.size}`);
  assert.deepEqual(vocab.words.slice(0, 3), ['.', 'the', ','], 'most frequent tokens first');
  const seqs = val.map((i) => vocab.encode(texts[i]));
  const { ids, lengths } = data.padSequences(seqs, { maxLength: 40 });
  assert.deepEqual(ids.shape, [300, Math.min(40, Math.max(...seqs.map((s) => s.length)))]);
  assert.ok(Math.min(...lengths) >= 1);
});

test('datasets: Tiny Shakespeare through CharVocab', () => {
  const text = readData('text/tinyshakespeare/tinyshakespeare.txt', 'utf8');
  assert.equal(text.length, 1115394);
  const vocab = data.CharVocab.fromText(text);
  assert.equal(vocab.size, 67, '65 characters + <pad> + <unk>');
  const ids = vocab.encode(text);
  assert.ok(!ids.includes(1) && !ids.includes(0));
  assert.equal(vocab.decode(ids.subarray(0, 14)), 'First Citizen:');
  const { x, y } = data.nextTokenWindows(ids, { length: 100 });
  assert.deepEqual(x.shape, [Math.floor((ids.length - 101) / 100) + 1, 100]);
  assert.equal(y.data[0], ids[1]);
});

test('datasets: the NAB series through readCsv, normalizer and slidingWindows', () => {
  const csv = data.readCsv(readData('timeseries/nab/machine_temperature_system_failure.csv', 'utf8'));
  assert.deepEqual(csv.columns, ['timestamp', 'value', 'anomaly_window', 'anomaly_label']);
  assert.equal(csv.rows.length, 22695);
  assert.deepEqual(csv.rows[0], ['2013-12-02 21:15:00', '73.96732207', '0', '0']);
  const values = data.column(csv, 'value');
  assert.equal(values[1], 74.93588199999998);
  assert.equal(data.column(csv, 'anomaly_label').filter((v) => v === 1).length, 4);
  const labels = JSON.parse(readData('timeseries/nab/labels.json', 'utf8'));
  assert.equal(labels['machine_temperature_system_failure.csv'].labels.length, 4);
  const { train } = data.trainValSplit(values, { shuffle: false, valFraction: 0.2 });
  const norm = data.normalizer(train);
  assert.ok(norm.mean > 50 && norm.mean < 120 && norm.std > 1, `mean ${norm.mean}, std ${norm.std}`);
  const { x, y } = data.slidingWindows(norm.apply(values), { window: 48, horizon: 12, stride: 12 });
  const N = Math.floor((22695 - 48 - 12) / 12) + 1;
  assert.deepEqual(x.shape, [N, 48, 1]);
  assert.deepEqual(y.shape, [N, 12]);
  const last = (N - 1) * 12 + 48 + 11;
  assert.ok(Math.abs(norm.invert([y.data[N * 12 - 1]])[0] - values[last]) < 1e-3);
});
