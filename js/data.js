// data.js - data helpers for training sequence models: a seeded generator
// (the engine's own algorithm), shuffling and splits, character and word
// vocabularies, padding and batching, time-series windows and a small CSV
// reader. Pure JS, no dependencies, deterministic for a seed; works in Node,
// browsers and workers.
//   import { init } from 'rnn-wasm';
//   const { data } = await init();          // or: import { data } from 'rnn-wasm';
//   const vocab = data.CharVocab.fromText(text);
//   const { ids, lengths } = data.padSequences(lines.map((l) => vocab.encode(l)));
import { RnnError } from './errors.js';
import { boolOption, checkKnown, intOption, numOption, randomSeed } from './options.js';
import { checkTensor } from './tensor.js';

const U64 = (1n << 64n) - 1n;
const TWO32 = 4294967296;

function bad(message) {
  return new RnnError('INVALID_ARGUMENT', message);
}

function typeName(v) {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return v.constructor.name;
  return typeof v;
}

function isArrayLike(v) {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

// ---------------------------------------------------------------------------
// Generator: xoshiro128** seeded through splitmix64, exactly as src/rng.c, so
// a seed gives the same stream here, in the engine and in the C tests.

function splitmix64(x) {
  // x: { v: BigInt }; returns the next 64-bit output and advances x.v.
  x.v = (x.v + 0x9E3779B97F4A7C15n) & U64;
  let z = x.v;
  z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & U64;
  z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & U64;
  return z ^ (z >> 31n);
}

function seedState(seed) {
  const x = { v: BigInt(seed) };
  const a = splitmix64(x), b = splitmix64(x);
  return [Number(a & 0xFFFFFFFFn), Number(a >> 32n), Number(b & 0xFFFFFFFFn), Number(b >> 32n)];
}

function checkSeed(seed, what) {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed > U64) throw bad(`${what}: a bigint seed must be in [0, 2^64 - 1], got ${seed}`);
    return seed;
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw bad(`${what}: seed must be an integer in [0, 2^53 - 1] (or a bigint below 2^64), got ${typeName(seed) === 'number' ? seed : typeName(seed)}`);
  }
  return seed;
}

function rotl(x, k) {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * A seeded generator: xoshiro128** seeded through splitmix64, the same
 * algorithm and seeding as the engine (src/rng.c), so createRng(s) yields the
 * stream rnn_rng_seed(s) does. seed: an integer in [0, 2^53 - 1] or a bigint
 * in [0, 2^64 - 1]; omitted: a random seed (read it back from rng.seed).
 *   nextU32()  the next 32-bit output (rnn_rng_u32)
 *   uniform()  in [0, 1) with 24 random bits (rnn_rng_uniform(g, 0, 1))
 *   normal()   standard normal, Box-Muller in pairs exactly as the engine's
 *              Embedding init (src/embedding.c): two nextU32 per pair, the
 *              second value of a pair is kept for the next call
 *   int(n)     an unbiased integer in [0, n), n in [1, 2^32] (rejection sampling)
 *   state()    a copy of the 4 state words (Uint32Array)
 *   setState(s) restores them (also drops a kept normal())
 */
export function createRng(seed) {
  const what = 'createRng';
  seed = seed === undefined ? randomSeed() : checkSeed(seed, what);
  let [s0, s1, s2, s3] = seedState(seed);
  let spare = null;

  function nextU32() {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    return result;
  }

  return Object.freeze({
    seed,
    nextU32,
    uniform() {
      return (nextU32() >>> 8) / 16777216;
    },
    normal() {
      if (spare !== null) {
        const z = spare;
        spare = null;
        return z;
      }
      const u1 = (nextU32() + 0.5) / TWO32;
      const u2 = nextU32() / TWO32;
      const r = Math.sqrt(-2 * Math.log(u1));
      const a = 2 * Math.PI * u2;
      spare = r * Math.sin(a);
      return r * Math.cos(a);
    },
    int(n) {
      if (!Number.isInteger(n) || n < 1 || n > TWO32) {
        throw bad(`rng.int: n must be an integer in [1, 2^32], got ${n}`);
      }
      if (n === TWO32) return nextU32();
      const limit = TWO32 - (TWO32 % n);
      for (;;) {
        const u = nextU32();
        if (u < limit) return u % n;
      }
    },
    state() {
      return Uint32Array.of(s0, s1, s2, s3);
    },
    setState(s) {
      if (!isArrayLike(s) || s.length !== 4 ||
          !Array.from(s).every((w) => Number.isInteger(w) && w >= 0 && w < TWO32)) {
        throw bad('rng.setState: state must be 4 unsigned 32-bit words (a Uint32Array from rng.state())');
      }
      if (s[0] === 0 && s[1] === 0 && s[2] === 0 && s[3] === 0) {
        throw bad('rng.setState: the all-zero state is not valid for xoshiro128**');
      }
      [s0, s1, s2, s3] = Array.from(s, (w) => w >>> 0);
      spare = null;
    },
  });
}

function isRng(v) {
  return v !== null && typeof v === 'object' && typeof v.nextU32 === 'function' && typeof v.int === 'function';
}

// A seed, an rng, or undefined (random seed) -> an rng.
function toRng(seedOrRng, what) {
  if (isRng(seedOrRng)) return seedOrRng;
  if (seedOrRng === undefined) return createRng();
  return createRng(checkSeed(seedOrRng, what));
}

// { seed, rng } options -> an rng (one of them at most).
function rngOption(opts, what) {
  if (opts.seed !== undefined && opts.rng !== undefined) {
    throw bad(`${what}: give 'seed' or 'rng', not both`);
  }
  if (opts.rng !== undefined) {
    if (!isRng(opts.rng)) throw bad(`${what}: 'rng' must be a generator from createRng(), got ${typeName(opts.rng)}`);
    return opts.rng;
  }
  return opts.seed === undefined ? createRng() : createRng(checkSeed(opts.seed, what));
}

function copyOf(array, what, name) {
  if (!isArrayLike(array)) throw bad(`${what}: ${name} must be an array or a typed array, got ${typeName(array)}`);
  return array.slice();
}

function shuffleInPlace(a, rng) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * A shuffled copy of array (an Array or typed array; same kind returned):
 * Fisher-Yates from the last element down, j = rng.int(i + 1). seedOrRng: a
 * seed (same seed, same order) or a generator from createRng (advanced, so
 * successive calls give different orders); omitted: random.
 */
export function shuffle(array, seedOrRng) {
  const a = copyOf(array, 'shuffle', 'array');
  return shuffleInPlace(a, toRng(seedOrRng, 'shuffle'));
}

/** [0, 1, ..., n - 1]. */
export function range(n) {
  if (!Number.isInteger(n) || n < 0) throw bad(`range: n must be a non-negative integer, got ${n}`);
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Splits items into { train, val } (copies, same kind as items).
 * options.valFraction in (0, 1), default 0.1: val gets round(n * valFraction)
 * items, at least 1 and at most n - 1 when n >= 2 (so neither part is empty).
 * options.shuffle (default true): a seeded shuffle first (options.seed or
 * options.rng; neither: random); false keeps the order and takes the last
 * items as val (time series).
 */
export function trainValSplit(items, options = {}) {
  const what = 'trainValSplit';
  checkKnown(options, ['valFraction', 'seed', 'rng', 'shuffle'], what);
  const frac = numOption(options, 'valFraction', what, { min: 0, max: 1, minExclusive: true, maxExclusive: true, def: 0.1 });
  const doShuffle = boolOption(options, 'shuffle', what, true);
  let a = copyOf(items, what, 'items');
  if (doShuffle) a = shuffleInPlace(a, rngOption(options, what));
  const n = a.length;
  let nVal = Math.round(n * frac);
  if (n >= 2) nVal = Math.min(Math.max(nVal, 1), n - 1);
  else nVal = 0;
  return { train: a.slice(0, n - nVal), val: a.slice(n - nVal) };
}

// ---------------------------------------------------------------------------
// Vocabularies. Id 0 is padding ('<pad>'), id 1 unknown ('<unk>'), the
// entries follow from id 2.

export const PAD_ID = 0;
export const UNK_ID = 1;
export const PAD = '<pad>';
export const UNK = '<unk>';

function checkIds(ids, size, what) {
  if (!isArrayLike(ids)) throw bad(`${what}: ids must be an array or a typed array, got ${typeName(ids)}`);
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (!Number.isInteger(v) || v < 0 || v >= size) {
      throw bad(`${what}: ids[${i}] = ${v} is not a valid id (vocabulary size ${size})`);
    }
  }
}

function checkEntries(list, what, isValid, desc) {
  if (!Array.isArray(list)) throw bad(`${what}: expected an array of ${desc}, got ${typeName(list)}`);
  const seen = new Set();
  list.forEach((e, i) => {
    if (!isValid(e)) throw bad(`${what}: entry ${i} (${JSON.stringify(e)}) is not ${desc}`);
    if (e === PAD || e === UNK) throw bad(`${what}: entry ${i} is the reserved token ${e}`);
    if (seen.has(e)) throw bad(`${what}: entry ${i} (${JSON.stringify(e)}) is a duplicate`);
    seen.add(e);
  });
}

function countOption(options, what) {
  return intOption(options, 'minCount', what, { min: 1, def: 1 });
}

const isOneChar = (c) => typeof c === 'string' && c.length > 0 && [...c].length === 1;

/**
 * Character vocabulary: one id per Unicode code point seen (sorted by code
 * point, so the same text always gives the same ids), after '<pad>' (0) and
 * '<unk>' (1).
 */
export class CharVocab {
  /** chars: the entries from id 2 on (distinct single code points). */
  constructor(chars) {
    checkEntries(chars, 'CharVocab', isOneChar, 'a single character');
    this.chars = Object.freeze([...chars]);
    this.tokens = Object.freeze([PAD, UNK, ...chars]);
    this._ids = new Map(chars.map((c, i) => [c, i + 2]));
    Object.freeze(this);
  }

  /** Every code point of text with at least options.minCount (default 1) occurrences. */
  static fromText(text, options = {}) {
    const what = 'CharVocab.fromText';
    if (typeof text !== 'string') throw bad(`${what}: text must be a string, got ${typeName(text)}`);
    checkKnown(options, ['minCount'], what);
    const minCount = countOption(options, what);
    const counts = new Map();
    for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
    const chars = [...counts].filter(([, n]) => n >= minCount).map(([c]) => c);
    chars.sort((a, b) => a.codePointAt(0) - b.codePointAt(0));
    return new CharVocab(chars);
  }

  static fromJSON(obj) {
    if (obj === null || typeof obj !== 'object' || obj.type !== 'CharVocab') {
      throw bad('CharVocab.fromJSON: expected the object from CharVocab.toJSON() ({ type: \'CharVocab\', chars })');
    }
    return new CharVocab(obj.chars);
  }

  /** Number of ids, including '<pad>' and '<unk>' (numEmbeddings of an Embedding). */
  get size() { return this.tokens.length; }

  /** The id of a character (1 when unknown). */
  id(char) { return this._ids.get(char) ?? UNK_ID; }

  /** One id per code point; characters not in the vocabulary are 1 ('<unk>'). */
  encode(str) {
    if (typeof str !== 'string') throw bad(`CharVocab.encode: expected a string, got ${typeName(str)}`);
    const out = [];
    for (const c of str) out.push(this._ids.get(c) ?? UNK_ID);
    return Int32Array.from(out);
  }

  /** The text of ids: padding (0) skipped, unknown (1) as U+FFFD. */
  decode(ids) {
    checkIds(ids, this.size, 'CharVocab.decode');
    let s = '';
    for (const id of ids) {
      if (id === PAD_ID) continue;
      s += id === UNK_ID ? '\uFFFD' : this.tokens[id];
    }
    return s;
  }

  toJSON() {
    return { type: 'CharVocab', chars: [...this.chars] };
  }
}

const WORD_RE = /[a-z0-9']+|[^\sa-z0-9']/g;
const WORD_RE_CASED = /[a-z0-9']+|[^\sa-z0-9']/gi;

/**
 * Word vocabulary over a simple tokenizer (WordVocab.tokenize), most frequent
 * words first (ties alphabetical), after '<pad>' (0) and '<unk>' (1).
 */
export class WordVocab {
  /** words: the entries from id 2 on; options.lowercase as the tokenizer's (default true). */
  constructor(words, options = {}) {
    const what = 'WordVocab';
    checkKnown(options, ['lowercase'], what);
    checkEntries(words, what, (w) => typeof w === 'string' && w.length > 0, 'a non-empty string');
    this.lowercase = boolOption(options, 'lowercase', what, true);
    this.words = Object.freeze([...words]);
    this.tokens = Object.freeze([PAD, UNK, ...words]);
    this._ids = new Map(words.map((w, i) => [w, i + 2]));
    Object.freeze(this);
  }

  /**
   * Tokens of text: lowercased (unless options.lowercase is false), then runs
   * of ASCII letters, digits and apostrophes are words and every other
   * non-space character is a token of its own:
   * text.toLowerCase().match(/[a-z0-9']+|[^\sa-z0-9']/g).
   *   "Don't stop, 2 go!" -> ["don't", 'stop', ',', '2', 'go', '!']
   */
  static tokenize(text, options = {}) {
    const what = 'WordVocab.tokenize';
    if (typeof text !== 'string') throw bad(`${what}: text must be a string, got ${typeName(text)}`);
    checkKnown(options, ['lowercase'], what);
    const lower = boolOption(options, 'lowercase', what, true);
    return lower ? (text.toLowerCase().match(WORD_RE) ?? []) : (text.match(WORD_RE_CASED) ?? []);
  }

  /**
   * The vocabulary of texts (an array of strings). options.minCount (default
   * 1): rarer tokens stay unknown. options.maxSize: the most ids in all,
   * '<pad>' and '<unk>' included (>= 2; default no limit). options.lowercase
   * (default true). Order: descending count, ties by code unit order.
   */
  static fromTexts(texts, options = {}) {
    const what = 'WordVocab.fromTexts';
    if (typeof texts === 'string') texts = [texts];
    if (!Array.isArray(texts)) throw bad(`${what}: texts must be an array of strings, got ${typeName(texts)}`);
    checkKnown(options, ['minCount', 'maxSize', 'lowercase'], what);
    const minCount = countOption(options, what);
    const maxSize = options.maxSize === undefined ? Infinity : intOption(options, 'maxSize', what, { min: 2 });
    const lowercase = boolOption(options, 'lowercase', what, true);
    const counts = new Map();
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw bad(`${what}: texts[${i}] must be a string, got ${typeName(t)}`);
      for (const w of WordVocab.tokenize(t, { lowercase })) counts.set(w, (counts.get(w) ?? 0) + 1);
    });
    const entries = [...counts].filter(([, n]) => n >= minCount);
    entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new WordVocab(entries.slice(0, maxSize - 2).map(([w]) => w), { lowercase });
  }

  static fromJSON(obj) {
    if (obj === null || typeof obj !== 'object' || obj.type !== 'WordVocab') {
      throw bad('WordVocab.fromJSON: expected the object from WordVocab.toJSON() ({ type: \'WordVocab\', words, lowercase })');
    }
    return new WordVocab(obj.words, { lowercase: obj.lowercase ?? true });
  }

  /** Number of ids, including '<pad>' and '<unk>' (numEmbeddings of an Embedding). */
  get size() { return this.tokens.length; }

  /** The id of a token (1 when unknown). */
  id(token) { return this._ids.get(token) ?? UNK_ID; }

  /** The ids of text's tokens; unknown tokens are 1 ('<unk>'). */
  encode(text) {
    const toks = WordVocab.tokenize(text, { lowercase: this.lowercase });
    return Int32Array.from(toks, (w) => this._ids.get(w) ?? UNK_ID);
  }

  /** The tokens of ids joined by single spaces: padding skipped, unknown as '<unk>'. */
  decode(ids) {
    checkIds(ids, this.size, 'WordVocab.decode');
    const out = [];
    for (const id of ids) if (id !== PAD_ID) out.push(this.tokens[id]);
    return out.join(' ');
  }

  toJSON() {
    return { type: 'WordVocab', lowercase: this.lowercase, words: [...this.words] };
  }
}

// ---------------------------------------------------------------------------
// Batching.

/**
 * Pads integer sequences (arrays or typed arrays, each of length >= 1) into
 * one batch-first id tensor: { ids: { shape: [B, T], data: Int32Array },
 * lengths: Int32Array }. T is the longest length, capped by options.maxLength;
 * padding (options.padValue, default 0) goes after each sequence, so lengths
 * fit the recurrent layers' `lengths` (pack_padded_sequence). Longer
 * sequences are cut: options.truncate 'post' (default) keeps the start,
 * 'pre' the end.
 */
export function padSequences(seqs, options = {}) {
  const what = 'padSequences';
  checkKnown(options, ['maxLength', 'padValue', 'truncate'], what);
  if (!Array.isArray(seqs) || seqs.length === 0) {
    throw bad(`${what}: seqs must be a non-empty array of sequences, got ${Array.isArray(seqs) ? 'an empty array' : typeName(seqs)}`);
  }
  const maxLength = options.maxLength === undefined ? Infinity : intOption(options, 'maxLength', what, { min: 1 });
  const padValue = intOption(options, 'padValue', what, { min: -(2 ** 31), def: 0 });
  const truncate = options.truncate ?? 'post';
  if (truncate !== 'post' && truncate !== 'pre') {
    throw bad(`${what}: 'truncate' must be 'post' or 'pre', got ${truncate}`);
  }
  let longest = 0;
  seqs.forEach((s, i) => {
    if (!isArrayLike(s)) throw bad(`${what}: seqs[${i}] must be an array or a typed array, got ${typeName(s)}`);
    if (s.length === 0) throw bad(`${what}: seqs[${i}] is empty (every sequence needs length >= 1)`);
    longest = Math.max(longest, s.length);
  });
  const B = seqs.length, T = Math.min(longest, maxLength);
  const data = new Int32Array(B * T).fill(padValue);
  const lengths = new Int32Array(B);
  seqs.forEach((s, b) => {
    const len = Math.min(s.length, T);
    const from = truncate === 'pre' ? s.length - len : 0;
    for (let t = 0; t < len; t++) {
      const v = s[from + t];
      if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
        throw bad(`${what}: seqs[${b}][${from + t}] = ${v} is not a 32-bit integer`);
      }
      data[b * T + t] = v;
    }
    lengths[b] = len;
  });
  return { ids: { shape: [B, T], data }, lengths };
}

/**
 * Mini-batches of the indices 0..n-1: an array of index arrays, every index
 * exactly once (the last batch may be smaller; options.dropLast drops it).
 * options.shuffle (default true) shuffles first, with options.seed (the same
 * batches every call) or options.rng (a generator from createRng, advanced:
 * a new order every epoch); neither: random.
 */
export function batches(n, options = {}) {
  const what = 'batches';
  checkKnown(options, ['batchSize', 'shuffle', 'seed', 'rng', 'dropLast'], what);
  if (!Number.isInteger(n) || n < 0) throw bad(`${what}: n must be a non-negative integer, got ${n}`);
  const batchSize = intOption(options, 'batchSize', what, { min: 1 });
  const doShuffle = boolOption(options, 'shuffle', what, true);
  const dropLast = boolOption(options, 'dropLast', what, false);
  let order = range(n);
  if (doShuffle) order = shuffleInPlace(order, rngOption(options, what));
  const out = [];
  for (let i = 0; i < n; i += batchSize) {
    if (dropLast && i + batchSize > n) break;
    out.push(order.slice(i, i + batchSize));
  }
  return out;
}

/** Float tensors of one shape -> one tensor [B, ...shape] (copies). */
export function stack(tensors) {
  const what = 'stack';
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw bad(`${what}: expected a non-empty array of tensors, got ${Array.isArray(tensors) ? 'an empty array' : typeName(tensors)}`);
  }
  const shape = checkTensor(tensors[0], `${what}: tensors[0]`);
  const n = tensors[0].data.length;
  const data = new Float32Array(tensors.length * n);
  tensors.forEach((t, i) => {
    checkTensor(t, `${what}: tensors[${i}]`, shape);
    data.set(t.data, i * n);
  });
  return { shape: [tensors.length, ...shape], data };
}

/**
 * Rows of a batch-first tensor: t [N, ...] and indices (e.g. one of
 * batches()) -> [indices.length, ...], same data type as t (Float32Array,
 * Int32Array, ...). Use it to cut mini-batches out of slidingWindows or
 * padSequences results.
 */
export function take(t, indices) {
  const what = 'take';
  if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || !isArrayLike(t.data)) {
    throw bad(`${what}: t must be a tensor { shape, data }, got ${typeName(t)}`);
  }
  if (t.shape.length === 0) throw new RnnError('SHAPE', `${what}: t must have at least one dimension`);
  if (!isArrayLike(indices)) throw bad(`${what}: indices must be an array, got ${typeName(indices)}`);
  const N = t.shape[0];
  const row = N === 0 ? 0 : t.data.length / N;
  const data = new t.data.constructor(indices.length * row);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (!Number.isInteger(k) || k < 0 || k >= N) throw bad(`${what}: indices[${i}] = ${k} is out of range [0, ${N})`);
    data.set(t.data.subarray(k * row, (k + 1) * row), i * row);
  }
  return { shape: [indices.length, ...t.shape.slice(1)], data };
}

/**
 * Next-token training pairs from one long id sequence (e.g. vocab.encode of
 * a whole text): x [N, length] and y [N, length] (Int32Array data) with
 * y[i][t] = ids[start_i + t + 1]; windows start every options.stride
 * (default length) positions. For character-level language models.
 */
export function nextTokenWindows(ids, options = {}) {
  const what = 'nextTokenWindows';
  checkKnown(options, ['length', 'stride'], what);
  if (!isArrayLike(ids)) throw bad(`${what}: ids must be an array or a typed array, got ${typeName(ids)}`);
  const length = intOption(options, 'length', what, { min: 1 });
  const stride = intOption(options, 'stride', what, { min: 1, def: length });
  if (ids.length < length + 1) {
    throw new RnnError('SHAPE', `${what}: ${ids.length} ids are too few for one window (length + 1 = ${length + 1})`);
  }
  const N = Math.floor((ids.length - length - 1) / stride) + 1;
  const x = new Int32Array(N * length), y = new Int32Array(N * length);
  for (let i = 0; i < N; i++) {
    const s = i * stride;
    for (let t = 0; t < length; t++) {
      x[i * length + t] = ids[s + t];
      y[i * length + t] = ids[s + t + 1];
    }
  }
  return { x: { shape: [N, length], data: x }, y: { shape: [N, length], data: y } };
}

// ---------------------------------------------------------------------------
// Time series.

function numbers(values, what, name) {
  const v = (values !== null && typeof values === 'object' && !isArrayLike(values) && 'data' in values)
    ? values.data : values;
  if (!isArrayLike(v)) throw bad(`${what}: ${name} must be an array of numbers, got ${typeName(values)}`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) {
      throw bad(`${what}: ${name}[${i}] = ${v[i]} is not a finite number`);
    }
  }
  return v;
}

/**
 * z-score normalization fitted on values (an array, typed array or the data
 * of a tensor): mean and population std (divided by n; a constant series has
 * std 1). apply(v) = (v - mean) / std and invert(v) = v * std + mean return
 * Float32Arrays. Fit on the training part only.
 */
export function normalizer(values) {
  const what = 'normalizer';
  const v = numbers(values, what, 'values');
  if (v.length === 0) throw bad(`${what}: values is empty`);
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i];
  const mean = sum / v.length;
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += (v[i] - mean) ** 2;
  let std = Math.sqrt(ss / v.length);
  if (!(std > 0)) std = 1;
  return Object.freeze({
    mean,
    std,
    apply(x) {
      const a = numbers(x, 'normalizer.apply', 'v');
      return Float32Array.from(a, (e) => (e - mean) / std);
    },
    invert(x) {
      const a = numbers(x, 'normalizer.invert', 'v');
      return Float32Array.from(a, (e) => e * std + mean);
    },
  });
}

/**
 * Supervised windows of a series, batch-first: each window of options.window
 * steps predicts the next options.horizon (default 1) steps; windows start
 * every options.stride (default 1) steps, N = floor((T - window - horizon) /
 * stride) + 1.
 *   series [T] (array, typed array or tensor): x [N, window, 1], y [N, horizon]
 *   series tensor [T, C]:                        x [N, window, C], y [N, horizon, C]
 */
export function slidingWindows(series, options = {}) {
  const what = 'slidingWindows';
  checkKnown(options, ['window', 'horizon', 'stride'], what);
  let T, C, v, multi;
  if (isArrayLike(series)) {
    v = numbers(series, what, 'series');
    T = v.length, C = 1, multi = false;
  } else if (series !== null && typeof series === 'object' && 'shape' in series && 'data' in series) {
    const { shape } = series;
    if (!Array.isArray(shape) || (shape.length !== 1 && shape.length !== 2)) {
      throw new RnnError('SHAPE', `${what}: a series tensor must have shape [T] or [T, C], got [${shape}]`);
    }
    v = numbers(series.data, what, 'series.data');
    T = shape[0], C = shape.length === 2 ? shape[1] : 1, multi = shape.length === 2;
    if (!Number.isInteger(T) || T < 0 || !Number.isInteger(C) || C < 1) {
      throw new RnnError('SHAPE', `${what}: a series tensor must have shape [T] or [T, C] with C >= 1, got [${shape}]`);
    }
    if (v.length !== T * C) throw new RnnError('SHAPE', `${what}: series.data has ${v.length} values but shape [${shape}] needs ${T * C}`);
  } else {
    throw bad(`${what}: series must be an array of numbers or a tensor [T] / [T, C], got ${typeName(series)}`);
  }
  const window = intOption(options, 'window', what, { min: 1 });
  const horizon = intOption(options, 'horizon', what, { min: 1, def: 1 });
  const stride = intOption(options, 'stride', what, { min: 1, def: 1 });
  if (T < window + horizon) {
    throw new RnnError('SHAPE', `${what}: a series of ${T} steps is too short for window ${window} + horizon ${horizon}`);
  }
  const N = Math.floor((T - window - horizon) / stride) + 1;
  const x = new Float32Array(N * window * C), y = new Float32Array(N * horizon * C);
  for (let i = 0; i < N; i++) {
    const s = i * stride * C;
    for (let k = 0; k < window * C; k++) x[i * window * C + k] = v[s + k];
    for (let k = 0; k < horizon * C; k++) y[i * horizon * C + k] = v[s + window * C + k];
  }
  return {
    x: { shape: [N, window, C], data: x },
    y: { shape: multi ? [N, horizon, C] : [N, horizon], data: y },
  };
}

// ---------------------------------------------------------------------------
// CSV.

/**
 * A small CSV reader: fields separated by options.delimiter (default ','),
 * quoted fields (options.quote, default '"'; null for none) may hold the
 * delimiter, newlines and doubled quotes; LF or CRLF line ends; a leading BOM
 * and blank lines are skipped. With options.header (default true) the first
 * row names the columns, else they are '0', '1', ... Every row must have as
 * many fields as the first (else RnnError 'FORMAT' naming the line).
 * Returns { columns: string[], rows: string[][] } (strings, unparsed).
 */
export function readCsv(text, options = {}) {
  const what = 'readCsv';
  if (typeof text !== 'string') throw bad(`${what}: text must be a string, got ${typeName(text)}`);
  checkKnown(options, ['header', 'delimiter', 'quote'], what);
  const header = boolOption(options, 'header', what, true);
  const delim = options.delimiter ?? ',';
  const quote = options.quote === undefined ? '"' : options.quote;
  if (typeof delim !== 'string' || delim.length !== 1 || delim === '\n' || delim === '\r') {
    throw bad(`${what}: 'delimiter' must be one character (not a line end), got ${JSON.stringify(delim)}`);
  }
  if (quote !== null && (typeof quote !== 'string' || quote.length !== 1 || quote === delim)) {
    throw bad(`${what}: 'quote' must be one character other than the delimiter, or null, got ${JSON.stringify(quote)}`);
  }
  const records = []; // [fields, line]
  let fields = [], field = '', line = 1, startLine = 1, i = text.charCodeAt(0) === 0xFEFF ? 1 : 0;
  let touched = false; // the current record has content (a field, a delimiter or quotes)
  const endRecord = () => {
    if (touched) records.push([[...fields, field], startLine]);
    fields = [], field = '', touched = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (!touched) startLine = line;
    if (c === quote && field === '') {
      // A quoted field: up to the closing quote, then a delimiter or line end.
      const open = line;
      touched = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new RnnError('FORMAT', `${what}: unterminated quoted field starting on line ${open}`);
        const d = text[i];
        if (d === quote) {
          if (text[i + 1] === quote) { field += quote; i += 2; continue; }
          i++;
          break;
        }
        if (d === '\n') line++;
        field += d;
        i++;
      }
      const n = text[i];
      if (i < text.length && n !== delim && n !== '\n' && n !== '\r') {
        throw new RnnError('FORMAT', `${what}: line ${line}: unexpected ${JSON.stringify(n)} after a closing quote`);
      }
      continue;
    }
    if (c === delim) {
      fields.push(field), field = '', touched = true, i++;
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
      i++, line++;
    } else {
      field += c, touched = true, i++;
    }
  }
  endRecord();
  let columns;
  if (header) {
    if (records.length === 0) throw new RnnError('FORMAT', `${what}: no header line`);
    columns = records.shift()[0];
  } else {
    columns = records.length ? records[0][0].map((_, k) => String(k)) : [];
  }
  const rows = records.map(([r, ln]) => {
    if (r.length !== columns.length) {
      throw new RnnError('FORMAT', `${what}: line ${ln} has ${r.length} fields, expected ${columns.length}`);
    }
    return r;
  });
  return { columns, rows };
}

function strictNumber(s, row, name) {
  const v = s.trim() === '' ? NaN : Number(s);
  if (Number.isNaN(v) && s.trim() !== 'NaN') {
    throw bad(`column: row ${row} of column '${name}' is not a number: ${JSON.stringify(s)}`);
  }
  return v;
}

/**
 * One column of readCsv's result, by name (or index), each cell passed
 * through parse(cell, rowIndex). Default: numbers, where an empty or
 * non-numeric cell throws naming its row (Number alone would give 0 or NaN).
 */
export function column(csv, name, parse) {
  const what = 'column';
  if (csv === null || typeof csv !== 'object' || !Array.isArray(csv.columns) || !Array.isArray(csv.rows)) {
    throw bad(`${what}: csv must be the result of readCsv ({ columns, rows }), got ${typeName(csv)}`);
  }
  const k = typeof name === 'number' ? name : csv.columns.indexOf(name);
  if (!Number.isInteger(k) || k < 0 || k >= csv.columns.length) {
    throw bad(`${what}: no column ${JSON.stringify(name)} (columns: ${csv.columns.join(', ')})`);
  }
  if (parse !== undefined && typeof parse !== 'function') {
    throw bad(`${what}: parse must be a function, got ${typeName(parse)}`);
  }
  const label = csv.columns[k];
  return csv.rows.map((r, i) => (parse ? parse(r[k], i) : strictNumber(r[k], i, label)));
}
