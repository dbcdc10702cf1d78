// batching.js - padding sequences into batches, batch index lists, stacking
// and taking tensors, next-token windows over a token stream.
import { RnnError } from '../errors.js';
import { boolOption, checkKnown, intOption } from '../options.js';
import { checkTensor } from '../tensor.js';
import { bad, isArrayLike, typeName } from './checks.js';
import { rngOption } from './rng.js';
import { range, shuffleInPlace } from './splits.js';

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
